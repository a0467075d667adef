"""SCMLRoundEnv: conformance, masks, shield, determinism, errors."""

import numpy as np
import pytest

from baselines.random_policy import RandomPolicy
from baselines.reference_policy import ReferencePolicy
from envs.scml import SCMLRoundEnv
from policies.shield import compute_limits, state_from_awi, threads_from_awi
from policies.shield.reservation import with_deal


def random_episode(env, seed):
    policy = RandomPolicy(env, seed)  # masked: picks only allowed choices
    obs, info = env.reset(seed=seed)
    rewards, n = [], 0
    while True:
        obs, reward, terminated, _, info = env.step(policy(obs, info))
        assert env.observation_space.contains(obs)
        rewards.append(reward)
        n += 1
        if terminated:
            return rewards, n, info


def test_reference_policy_only_sends_valid_actions_and_trades(small_world):
    env = SCMLRoundEnv(world=small_world, horizon=10)
    policy = ReferencePolicy()  # the heuristic executor's answers, from info
    obs, info = env.reset(seed=2)
    accepted = 0
    done = False
    while not done:
        action = policy(obs, info)
        assert env.action_space.contains(action)
        # Ops must respect the mask (accept only what was offered). Delivery days may go past
        # the per-thread time mask: the policy reasons jointly (a purchase accepted this round
        # makes a same-day sale safe), and the env's shield re-checks everything jointly.
        mask = env.action_masks()
        op_positions = np.arange(env.max_threads) * env.slot_sizes.sum()
        assert mask[op_positions + action.reshape(-1, 4)[:, 0]].all()
        accepted += int(np.sum(action.reshape(-1, 4)[: len(env.partners), 0] == 0))
        obs, _, done, _, info = env.step(action)
    assert accepted > 0
    # The executor agent kept the threads' histories from what was really sent.
    assert env.session.agent(env.learner_id)._events


def test_whole_episode_stays_in_spaces_and_is_reproducible(small_world):
    a = random_episode(SCMLRoundEnv(world=small_world, horizon=10, reward_shaping=False), seed=4)
    b = random_episode(SCMLRoundEnv(world=small_world, horizon=10, reward_shaping=False), seed=4)
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
    state = state_from_awi(awi, 10)
    before = compute_limits(state)
    # Counter everything with the largest quantity on the first day.
    slots = np.tile([1, 9, 0, 0], (env.max_threads, 1))
    responses = env._responses(slots)
    threads = threads_from_awi(awi, env.partners, 10)
    asked = np.ceil(threads.q_max)
    after = state
    clipped = False
    for i, partner in enumerate(env.partners):
        outcome = responses[partner].outcome
        if outcome is None:
            continue
        quantity, day, price = outcome
        clipped |= quantity < asked[i]
        after = with_deal(after, bool(threads.is_buy[i]), quantity, price, day - awi.current_step)
    limits = compute_limits(after)
    assert clipped
    # Booked together, the counters leave every covered day covered and no day over capacity.
    assert np.all(limits.sell_room[0][before.sell_room[0] >= 0] >= 0)
    had_room = np.nan_to_num(before.buy_headroom[0], nan=-1.0) >= 0
    assert np.all(limits.buy_headroom[0][had_room] >= 0)
    assert (after.payables.sum() - state.payables.sum()) <= before.budget[0]


def test_out_of_space_action_is_a_clear_error(small_world):
    env = SCMLRoundEnv(world=small_world, horizon=10)
    env.reset(seed=0)
    bad = np.zeros(env.action_space.shape, dtype=np.int64)
    bad[0] = 7
    with pytest.raises(ValueError, match="per thread \\[op<3"):
        env.step(bad)
    with pytest.raises(ValueError, match="action must be in"):
        env.step(np.zeros(3, dtype=np.int64))


def test_registered_id_builds(small_world):
    import gymnasium as gym

    import envs  # noqa: F401 - registers the ids

    env = gym.make("HRLXF/SCMLRound-v0", world=small_world, horizon=10, max_threads=4)
    obs, _ = env.reset(seed=0)
    assert obs["time_mask"].shape == (4, 11) and obs["threads"].shape == (4, 10)
