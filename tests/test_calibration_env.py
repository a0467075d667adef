"""Hierarchical calibration env: PettingZoo conformance, dynamics, rewards, no look-ahead."""

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

from envs.allocation import calibration_parallel_env
from envs.allocation.calibration import SUPERVISOR, CalibrationParallelEnv
from envs.allocation.calibration_series import (
    WARMUP_BARS,
    CalibrationSeries,
    build_calibration_series,
)
from envs.market.generators import regime_switching_bars
from tests.market_cases import changed_from


def test_pettingzoo_api_and_seed():
    parallel_api_test(calibration_parallel_env(episode_length=60), num_cycles=200)
    parallel_seed_test(lambda: calibration_parallel_env(episode_length=60))


def hand_series(n=200, score=1.0, ret=0.01, sigma=0.01) -> CalibrationSeries:
    return CalibrationSeries(
        scores=np.full((n, 3), score),
        fast_signal=np.full(n, -1.0),
        next_return=np.full(n, ret),
        sigma=np.full(n, sigma),
        regime=np.zeros((n, 3)),
    )


def hold(env, supervisor=(0.0, 0.0)) -> dict:
    actions = {a: np.zeros(2, np.float32) for a in env.agents}
    actions[SUPERVISOR] = np.asarray(supervisor, np.float32)
    return actions


def test_supervisor_acts_only_at_period_starts_and_sets_share_and_leverage():
    env = CalibrationParallelEnv(series=hand_series(), episode_length=10, supervisor_period=5)
    env.reset(options={"start_bar": WARMUP_BARS})
    _, rewards, *_ = env.step(hold(env, supervisor=(1.0, 1.0)))  # t=0: applied
    assert (env.slow_share, env.leverage) == (1.0, 2.0)
    assert rewards[SUPERVISOR] == 0.0  # its period has not closed yet
    for _ in range(4):
        _, rewards, *_ = env.step(hold(env, supervisor=(-1.0, -1.0)))  # ignored until t=5
    assert (env.slow_share, env.leverage) == (1.0, 2.0)
    assert rewards[SUPERVISOR] != 0.0  # the period closed on the 5th step
    env.step(hold(env, supervisor=(-1.0, -1.0)))
    assert (env.slow_share, env.leverage) == (0.0, 0.5)


def test_factor_agents_move_beta_and_threshold_within_bounds():
    env = CalibrationParallelEnv(series=hand_series(), episode_length=30)
    env.reset(options={"start_bar": WARMUP_BARS})
    for _ in range(20):
        actions = hold(env)
        actions["factor_chip"] = np.array([1.0, 1.0], np.float32)
        actions["factor_value"] = np.array([-1.0, -1.0], np.float32)
        _, _, _, _, infos = env.step(actions)
    np.testing.assert_allclose(infos["factor_chip"]["beta"], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(infos["factor_chip"]["threshold"], [2.5, 0.5, 0.0])


def test_position_pnl_and_factor_reward_on_a_hand_made_series():
    env = CalibrationParallelEnv(
        series=hand_series(score=1.0, ret=0.01, sigma=0.01), episode_length=10, cost=0.001
    )
    env.reset(options={"start_bar": WARMUP_BARS})
    _, rewards, _, _, infos = env.step(hold(env, supervisor=(1.0, -1.0)))  # all slow, leverage 0.5
    # every factor: z = 1 > threshold 0.5, beta 0.5 -> contributions 0.5 each, slow = clip(1.5) = 1
    assert infos[SUPERVISOR]["position"] == pytest.approx(0.5)
    assert infos[SUPERVISOR]["pnl"] == pytest.approx(0.5 * 0.01 - 0.001 * 0.5)
    predicted = 1.0 * 0.01 * 0.5  # RETURN_PER_Z * sigma * contribution
    penalty = (abs(0.01 - predicted) - 0.01) / 0.01
    assert rewards["factor_chip"] == pytest.approx(1.0 - penalty)  # one bar: no correlation yet


def test_observations_never_use_later_bars():
    bars, _ = regime_switching_bars(700, seed=5)
    changed = changed_from(bars, 400, 1.5)  # bars < 400 are the same
    trajectories = []
    for source in (bars, changed):
        env = CalibrationParallelEnv(series=build_calibration_series(source), episode_length=100)
        obs, _ = env.reset(options={"start_bar": 300})
        rng = np.random.default_rng(0)
        seen = [obs]
        for _ in range(100):
            obs, *_ = env.step({a: rng.uniform(-1, 1, 2).astype(np.float32) for a in env.agents})
            seen.append(obs)
        trajectories.append(seen)
    # Observation k is taken at bar 300 + k; bars >= 400 changed, so observations 0..99 match.
    # (Bar 399's reward needs the 399 -> 400 return, but its observation does not.)
    for k in range(100):
        for agent in trajectories[0][k]:
            np.testing.assert_array_equal(
                trajectories[0][k][agent], trajectories[1][k][agent], err_msg=f"step {k} {agent}"
            )


def test_bad_actions_and_windows_are_clear_errors():
    env = calibration_parallel_env(episode_length=50)
    env.reset(seed=0)
    actions = hold(env)
    actions["factor_chip"] = np.array([np.nan, 0.0])
    with pytest.raises(ValueError, match="factor_chip"):
        env.step(actions)
    with pytest.raises(ValueError, match="missing"):
        env.step({SUPERVISOR: np.zeros(2)})
    with pytest.raises(ValueError, match="hold fewer than"):
        calibration_parallel_env(market={"n_bars": 200}, episode_length=150)
    with pytest.raises(ValueError, match="start_bar"):
        env.reset(options={"start_bar": 0})
