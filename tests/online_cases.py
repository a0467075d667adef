"""A tiny RLlib PPO stage from the shipped student, for the tests of stage options that need
the real student (twin baseline, goal offsets): 10 daily steps of 5-day worlds."""

import json
import subprocess
import sys
from pathlib import Path

SHIPPED = "policies/pretrained/dagger_heuristic/checkpoint"
TINY_FROM_SHIPPED = [
    f"stage.init_from={SHIPPED}",
    "stage.env_steps=10",
    "stage.train_batch_size=10",
    "stage.minibatch_size=5",
    "stage.eval_episodes=0",
    "stage.goal_log_std=-1.5",
    "world.n_steps=5",
    "world.agents_per_process=2",
    "ray.num_cpus=1",
]


def run_from_shipped(run_dir: Path, *overrides: str) -> dict:
    """Runs the stage into ``run_dir`` (later overrides win); returns its ``metrics.json``."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.online",
            f"hydra.run.dir={run_dir}",
            *TINY_FROM_SHIPPED,
            *overrides,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads((run_dir / "metrics.json").read_text())
