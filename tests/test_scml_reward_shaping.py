"""Potential-based shaping: phi is 0 at the terminal state online and offline, one default for
both, and over any episode the discounted shaped return is the unshaped one minus phi(s_0)."""

import inspect
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from envs.scml import SCMLDailyEnv, SCMLParallelEnv, SCMLRoundEnv
from envs.scml.reward import SHAPING_DEFAULT, RewardTracker
from experiments.collect.shards import Manifest, shard_name
from experiments.collect.world_task import collect_world
from experiments.datasets.expert_data import ExpertData

ROOT = Path(__file__).resolve().parents[1]
values = st.floats(-5.0, 5.0, allow_nan=False)


def discounted(rewards, gamma):
    return float(np.sum(np.asarray(rewards) * gamma ** np.arange(len(rewards))))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(values, values), min_size=1, max_size=30),
    values,
    values,
    st.floats(0.5, 1.0),
)
def test_shaped_return_is_unshaped_return_minus_initial_potential(steps, score0, phi0, gamma):
    tracker = RewardTracker(shaping=True, gamma=gamma)
    tracker.reset(score0, phi0)
    shaped, unshaped = [], []
    for k, (score, phi) in enumerate(steps):
        reward, parts = tracker.step(score, phi, terminal=k == len(steps) - 1)
        shaped.append(reward)
        unshaped.append(parts["score_change"])
    expected = discounted(unshaped, gamma) - phi0
    assert discounted(shaped, gamma) == pytest.approx(expected, abs=1e-6)


def test_daily_env_episode_obeys_the_identity(small_world):
    gamma = 0.9
    env = SCMLDailyEnv(world=small_world, horizon=10, shaping_gamma=gamma)
    _, info = env.reset(seed=3)
    phi0, rewards, changes, done = info["potential"], [], [], False
    while not done:
        _, reward, done, _, info = env.step(info["reference_action"])
        rewards.append(reward)
        changes.append(info["score_change"])
    assert sum(changes) == pytest.approx(info["score"] - 1.0)
    assert not np.allclose(rewards, changes)  # the shaping term did move the rewards
    assert discounted(rewards, gamma) == pytest.approx(discounted(changes, gamma) - phi0)


def test_offline_returns_obey_the_identity(tmp_path):
    manifest = Manifest(tmp_path, {"test": True})
    world = {"n_steps": 6, "agents_per_process": 2, "log_dir": str(tmp_path / "worlds")}
    manifest.add(collect_world(world, "GreedyStdAgent", 0, 10, str(tmp_path / shard_name(0))))
    manifest.save()
    data = ExpertData.load(tmp_path)
    gamma = 0.9
    shaped = data.returns_to_go(data.daily_rewards(gamma, shaping=True), gamma)
    plain = data.returns_to_go(data.daily_rewards(gamma, shaping=False), gamma)
    first = np.flatnonzero(data["day_day"] == 0)
    np.testing.assert_allclose(shaped[first], plain[first] - data["day_potential"][first])


def test_one_default_for_environments_and_offline_stages():
    for env in (SCMLDailyEnv, SCMLRoundEnv, SCMLParallelEnv):
        assert inspect.signature(env).parameters["reward_shaping"].default is SHAPING_DEFAULT
    train = yaml.safe_load((ROOT / "conf" / "training" / "default.yaml").read_text())
    assert train["shaping"] is SHAPING_DEFAULT
