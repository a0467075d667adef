"""A tiny self-play stage run in its own process, shared by the self-play and MAPPO tests."""

import subprocess
import sys
from pathlib import Path

import torch

from policies.hrl.bundle import BundleConfig, HRLBundle


def run_selfplay(tmp_path: Path, *overrides: str) -> Path:
    """Self-play from a fresh small bundle (``tmp_path/ppo``) in 6-day worlds; returns the run
    directory after asserting the stage exited cleanly. ``overrides`` come last and win."""
    torch.manual_seed(0)
    config = BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8)
    HRLBundle(config).save(tmp_path / "ppo", extra={"stage": "ppo"})
    run = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.online",
            f"hydra.run.dir={run}",
            "stage=selfplay",
            f"stage.init_from={tmp_path / 'ppo'}",
            "horizon=10",
            "stage.num_epochs=1",
            "stage.lr=1e-3",
            "world.n_steps=6",
            "world.agents_per_process=2",
            "ray.num_cpus=1",
            *overrides,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return run
