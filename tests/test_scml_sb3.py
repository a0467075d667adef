"""The SCML environments' spaces work with Stable-Baselines3 PPO as they are."""

import pytest
import torch
from stable_baselines3 import PPO

from envs.scml import SCMLDailyEnv, SCMLRoundEnv


@pytest.mark.parametrize("make_env", [SCMLDailyEnv, SCMLRoundEnv], ids=["daily", "round"])
def test_ppo_learns_a_few_steps(small_world, make_env):
    env = make_env(world=small_world, horizon=10)
    model = PPO("MultiInputPolicy", env, n_steps=16, batch_size=8, n_epochs=1, seed=0, device="cpu")
    before = [p.detach().clone() for p in model.policy.parameters()]
    model.learn(total_timesteps=32)
    assert model.num_timesteps == 32
    changed = [
        not torch.equal(a, b) for a, b in zip(before, model.policy.parameters(), strict=True)
    ]
    assert any(changed)  # two rollouts of env data went through PPO updates
    obs, _ = env.reset(seed=0)
    action, _ = model.predict(obs, deterministic=True)
    assert env.action_space.contains(action)
