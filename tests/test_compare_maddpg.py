"""The MADDPG comparison entry point: every method and seed runs, table and curves are written."""

import json
import subprocess
import sys

import pytest

from experiments.common.curves import check_run
from experiments.common.tensorboard_curves import read_scalars


def compare(overrides: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "experiments.markets.compare_maddpg", *overrides],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_comparison_writes_table_runs_and_learning_curves(tmp_path):
    run_dir = tmp_path / "run"
    overrides = [
        "marl_task=trading",
        "marl_task.kwargs.episode_length=20",
        "seeds=[0,1]",
        "learn.total_env_steps=300",
        "learn.eval_every=100",
        "learn.eval_episodes=2",
        "learn.n_envs=2",
        "maddpg.batch_size=32",
        "maddpg.learning_starts=50",
        "maddpg.train_every=10",
        f"hydra.run.dir={run_dir}",
    ]
    result = compare(overrides)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = json.loads((run_dir / "runs.json").read_text())
    assert sorted((r["method"], r["seed"]) for r in runs) == sorted(
        (m, s) for m in ("maddpg", "iddpg", "random") for s in (0, 1)
    )
    table = (run_dir / "results.md").read_text()
    assert all(f"| {m} |" in table for m in ("maddpg", "iddpg", "random"))
    assert (run_dir / "learning_curves.png").stat().st_size > 0
    for row in json.loads((run_dir / "metrics.json").read_text())["results"]:
        assert row["seeds"] == 2 and row["low"] <= row["mean"] <= row["high"]
    steps, values = read_scalars(run_dir / "tensorboard" / "maddpg_seed0", "eval/return")
    check_run(run_dir / "tensorboard" / "maddpg_seed0", ("charts/SPS", "charts/episodic_return"))
    assert list(steps) == [0, 100, 200, 300]
    assert values[-1] == pytest.approx(runs[0]["final_return"], rel=1e-5)
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == [
        "iddpg_seed0.pt",
        "iddpg_seed1.pt",
        "maddpg_seed0.pt",
        "maddpg_seed1.pt",
    ]

    # Called again on the same directory with one more seed: only that seed's runs train
    # (maddpg and random: 6 earlier runs + 2).
    trained = {p.name: p.stat().st_mtime_ns for p in (run_dir / "checkpoints").iterdir()}
    again = [o.replace("seeds=[0,1]", "seeds=[0,1,2]") for o in overrides]
    assert compare([*again, "methods=[maddpg,random]"]).returncode == 0
    runs = json.loads((run_dir / "runs.json").read_text())
    assert len(runs) == 8 and ("maddpg", 2) in {(r["method"], r["seed"]) for r in runs}
    assert {p.name: p.stat().st_mtime_ns for p in (run_dir / "checkpoints").iterdir()} == {
        **trained,
        "maddpg_seed2.pt": (run_dir / "checkpoints" / "maddpg_seed2.pt").stat().st_mtime_ns,
    }
    assert "| 3 |" in (run_dir / "results.md").read_text()  # maddpg over 3 seeds now
    # Other settings in the same directory would mix two experiments in one table: refused.
    mixed = compare([*again, "learn.total_env_steps=400"])
    assert mixed.returncode != 0 and "other ['learn'] settings" in mixed.stderr
