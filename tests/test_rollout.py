"""The rollout entry point and the env factory behind it."""

import json
import subprocess
import sys

import pytest

from envs.scml.factory import make_env
from envs.scml.round_env import SCMLRoundEnv
from experiments.common.curves import check_run


def test_factory_builds_the_named_env(tmp_path):
    env = make_env(
        {"id": "HRLXF/SCMLRound-v0", "horizon": 10},
        {"n_steps": 5, "log_dir": str(tmp_path)},
        ["GreedyStdAgent"],
    )
    assert isinstance(env, SCMLRoundEnv) and env.horizon == 10


@pytest.mark.parametrize(
    "env,world,message",
    [
        ({"id": "CartPole-v1"}, {}, "env.id must be one of"),
        ({"id": "HRLXF/SCMLDaily-v0"}, {"n_stepz": 3}, "unknown world option"),
    ],
)
def test_factory_errors_name_the_problem(env, world, message):
    with pytest.raises(ValueError, match=message):
        make_env(env, world, ["GreedyStdAgent"])


@pytest.mark.slow
def test_rollout_writes_metrics_and_tensorboard(tmp_path):
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.rollout",
            "episodes=1",
            "world.n_steps=5",
            f"hydra.run.dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["episodes"][0]["length"] == 5 and metrics["policy"] == "heuristic"
    check_run(
        run_dir / "tensorboard", ("charts/episodic_return", "charts/SPS", "charts/final_score")
    )
    assert (run_dir / "worlds").is_dir()
    lines = result.stdout.strip().splitlines()
    assert lines[-2] == f"curves: tensorboard --logdir {run_dir.resolve()}"
    assert json.loads(lines[-1]) == metrics  # the metrics stay the last line
