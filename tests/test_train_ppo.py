"""SB3 PPO training entry point: tiny budgets, real runs."""

import json
import subprocess
import sys

import numpy as np
import pytest
from stable_baselines3 import PPO

from experiments.common.curves import CORE, check_run


@pytest.mark.slow
@pytest.mark.parametrize("task", ["trading", "scml_daily"])
def test_train_writes_checkpoint_tensorboard_and_metrics(tmp_path, task):
    run_dir = tmp_path / "run"
    overrides = [
        "algo.total_timesteps=128",
        "algo.train_batch_size=64",
        "algo.minibatch_size=32",
        "algo.num_epochs=1",
        "algo.checkpoint_every=64",
        "algo.eval_episodes=1",
        f"task={task}",
        f"hydra.run.dir={run_dir}",
    ]
    if task == "scml_daily":
        overrides += [
            "task.kwargs.world.n_steps=5",
            "task.kwargs.world.agents_per_process=2",
            "task.kwargs.horizon=10",
        ]
    else:
        overrides += ["task.kwargs.episode_length=40"]
    result = subprocess.run(
        [sys.executable, "-m", "experiments.train_ppo", *overrides],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["total_timesteps"] == 128 and metrics["env_steps_per_s"] > 0
    model = PPO.load(run_dir / "checkpoints" / "final.zip", device="cpu")
    assert model.num_timesteps >= 128
    assert list((run_dir / "checkpoints").glob("ppo_*_steps.zip"))
    check_run(run_dir / "tensorboard", CORE + ("eval/episodic_return", "losses/value"))


@pytest.mark.slow
def test_maskable_ppo_on_the_round_env_picks_only_allowed_choices(tmp_path):
    from sb3_contrib import MaskablePPO

    from envs.scml import SCMLRoundEnv

    run_dir = tmp_path / "run"
    world = ["task.kwargs.world.n_steps=5", "task.kwargs.world.agents_per_process=2"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.train_ppo",
            "task=scml_round",
            "algo=maskable_ppo",
            "algo.total_timesteps=64",
            "algo.train_batch_size=32",
            "algo.minibatch_size=16",
            "algo.num_epochs=1",
            "algo.eval_episodes=1",
            "task.kwargs.horizon=10",
            *world,
            f"hydra.run.dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((run_dir / "metrics.json").read_text())["algorithm"] == "maskable_ppo"
    model = MaskablePPO.load(run_dir / "checkpoints" / "final.zip", device="cpu")
    env = SCMLRoundEnv(
        world={"n_steps": 5, "agents_per_process": 2, "log_dir": str(tmp_path / "w")},
        horizon=10,
        reference_actions=False,
    )
    obs, _ = env.reset(seed=1)
    sizes = np.cumsum([0, *env.action_space.nvec])
    for _ in range(15):
        mask = env.action_masks()
        action, _ = model.predict(obs, action_masks=mask, deterministic=False)
        assert all(mask[sizes[i] + a] for i, a in enumerate(action))
        obs, _, done, _, _ = env.step(action)
        if done:
            break
