"""SCMLRoundEnv: conformance, masks, shield, determinism, errors."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from baselines.heuristic.round_policy import HeuristicRoundPolicy
from baselines.random_policy import RandomPolicy
from envs.scml import SCMLRoundEnv
from policies.shield import compute_limits, state_from_awi


def test_check_env(small_world):
    check_env(SCMLRoundEnv(world=small_world, horizon=10), skip_render_check=True)


def random_episode(env, seed):
    policy = RandomPolicy(env, seed)  # masked: picks only allowed choices
    obs, info = env.reset(seed=seed)
    rewards, n = [], 0
    while True:
        obs, reward, terminated, _, info = env.step(policy(obs))
        assert env.observation_space.contains(obs)
        rewards.append(reward)
        n += 1
        if terminated:
            return rewards, n, info


def test_heuristic_round_policy_only_sends_valid_actions_and_trades(small_world):
    env = SCMLRoundEnv(world=small_world, horizon=10)
    policy = HeuristicRoundPolicy(env)
    obs, _ = env.reset(seed=2)
    accepted = 0
    done = False
    while not done:
        action = policy(obs)
        assert env.action_space.contains(action)
        mask = env.action_masks()
        flat = np.concatenate([[0], np.cumsum(np.tile(env.slot_sizes, env.max_threads))[:-1]])
        assert mask[flat + action].all()  # every chosen value is allowed
        accepted += int(np.sum(action.reshape(-1, 4)[: len(env.partners), 0] == 0))
        obs, _, done, _, info = env.step(action)
    assert accepted > 0


def test_whole_episode_stays_in_spaces_and_is_reproducible(small_world):
    a = random_episode(SCMLRoundEnv(world=small_world, horizon=10), seed=4)
    b = random_episode(SCMLRoundEnv(world=small_world, horizon=10), seed=4)
    assert a[0] == b[0] and a[1] == b[1] > small_world["n_steps"]
    assert np.isclose(sum(a[0]), a[2]["score"] - 1.0)


def test_time_mask_in_observation_matches_the_shield(small_world):
    env = SCMLRoundEnv(world=small_world, horizon=10)
    obs, _ = env.reset(seed=3)
    assert obs["thread_mask"].sum() == min(len(env.partners), env.max_threads) > 0
    limits = compute_limits(state_from_awi(env.session.awi(env.learner_id), 10))
    for i in range(min(len(env.partners), env.max_threads)):
        allowed = np.flatnonzero(obs["time_mask"][i])
        safe = limits.safe_buy[0] if obs["threads"][i, 1] else limits.safe_sell[0]
        assert np.all(safe[allowed] >= 1)


def test_shield_turns_unsafe_counters_into_safe_ones(small_world):
    env = SCMLRoundEnv(world=small_world, horizon=10)
    env.reset(seed=3)
    awi = env.session.awi(env.learner_id)
    limits = compute_limits(state_from_awi(awi, 10))
    # Counter everything with the largest quantity on the first day.
    slots = np.tile([1, 9, 0, 0], (env.max_threads, 1))
    responses = env._responses(slots)
    bought = sum(r.outcome[0] for p, r in responses.items() if r.outcome and p in awi.my_suppliers)
    sold = sum(r.outcome[0] for p, r in responses.items() if r.outcome and p in awi.my_consumers)
    assert bought <= limits.safe_buy[0].max()
    assert sold <= limits.safe_sell[0].max()


def test_out_of_space_action_is_a_clear_error(small_world):
    env = SCMLRoundEnv(world=small_world, horizon=10)
    env.reset(seed=0)
    bad = np.zeros(env.action_space.shape, dtype=np.int64)
    bad[0] = 7
    with pytest.raises(ValueError, match="per thread \\[op<3"):
        env.step(bad)
    with pytest.raises(ValueError, match="action must be in"):
        env.step(np.zeros(3, dtype=np.int64))
