"""SCMLDailyEnv: conformance, determinism, spaces over whole episodes, errors."""

import gymnasium as gym
import numpy as np
import pytest

import envs  # noqa: F401 - registers the ids
from envs.scml import SCMLDailyEnv


def run_episode(env, seed, policy_seed=0):
    rng = np.random.default_rng(policy_seed)
    obs, _ = env.reset(seed=seed)
    trace = [obs]
    rewards = []
    while True:
        action = rng.uniform(-1, 1, size=16).astype(np.float32)
        obs, reward, terminated, truncated, info = env.step(action)
        assert env.observation_space.contains(obs)
        assert np.isfinite(reward)
        trace.append(obs)
        rewards.append(reward)
        if terminated or truncated:
            return trace, rewards, info


def test_registered_id_builds(small_world):
    env = gym.make("HRLXF/SCMLDaily-v0", world=small_world)
    obs, _ = env.reset(seed=0)
    assert obs["X_temporal"].shape == (41, 10) and obs["x_static"].shape == (12,)


def test_episode_is_one_step_per_day_and_rewards_sum_to_score_change(small_world):
    env = SCMLDailyEnv(world=small_world, horizon=10, reward_shaping=False)
    trace, rewards, info = run_episode(env, seed=1)
    assert len(rewards) == small_world["n_steps"]
    assert np.isclose(sum(rewards), info["score"] - 1.0)


def test_same_seed_same_trajectory(small_world):
    first = run_episode(SCMLDailyEnv(world=small_world, horizon=10), seed=5)
    second = run_episode(SCMLDailyEnv(world=small_world, horizon=10), seed=5)
    assert first[1] == second[1]
    for a, b in zip(first[0], second[0], strict=True):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])


def test_shaping_is_reported_and_added_only_when_enabled(small_world):
    plain = SCMLDailyEnv(world=small_world, horizon=10, reward_shaping=False)
    shaped = SCMLDailyEnv(world=small_world, horizon=10, reward_shaping=True)
    for env in (plain, shaped):
        env.reset(seed=2)
    action = np.zeros(16, dtype=np.float32)
    _, r_plain, *_, info_plain = plain.step(action)
    _, r_shaped, *_, info_shaped = shaped.step(action)
    assert r_plain == pytest.approx(info_plain["score_change"])
    assert r_shaped == pytest.approx(info_shaped["score_change"] + info_shaped["shaping"])


@pytest.mark.parametrize(
    "action",
    [np.full(16, 2.0, np.float32), np.zeros(15, np.float32), np.full(16, np.nan, np.float32)],
)
def test_out_of_space_action_is_a_clear_error(small_world, action):
    env = SCMLDailyEnv(world=small_world, horizon=10)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="16 values in \\[-1, 1\\]"):
        env.step(action)


def test_goal_reaches_the_executing_agent(small_world):
    env = SCMLDailyEnv(world=small_world, horizon=10)
    env.reset(seed=0)
    action = np.full(16, -1.0, dtype=np.float32)  # buy and sell nothing
    env.step(action)
    agent = env.session.agent(env.learner_id)
    np.testing.assert_allclose(agent.goal_history[-1][:, [0, 2]], 0.0)
