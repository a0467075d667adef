"""Trading simulator views: PettingZoo and gymnasium conformance, seeding, data sources."""

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import parallel_api_test, parallel_seed_test

import envs  # noqa: F401 - registers HRLXF/Trading-v0
from envs.market.generators import regime_switching_bars
from envs.trading import DataSource, TradingConfig, TradingEnv, parallel_env
from envs.trading.rules import rule_actions


@pytest.mark.parametrize("discrete", [None, 5])
def test_parallel_api_and_seed(discrete):
    parallel_api_test(parallel_env(episode_length=30, discrete_actions=discrete), num_cycles=40)
    parallel_seed_test(lambda: parallel_env(episode_length=30, discrete_actions=discrete))


@pytest.mark.parametrize("deadline", [False, True])
def test_a_deadline_terminates_the_episode_and_a_time_limit_truncates_it(deadline):
    config = TradingConfig(types=("liquidator", "liquidator"), liquidate_at_end=deadline)
    env = parallel_env(config=config, episode_length=5)
    env.reset(seed=0)
    for _ in range(4):
        _, _, terminated, truncated, _ = env.step({a: np.zeros(1, np.float32) for a in env.agents})
    assert not env.agents
    assert all(terminated.values()) is deadline and all(truncated.values()) is not deadline
    parallel_api_test(parallel_env(config=config, episode_length=5), num_cycles=10)


def test_gymnasium_view_passes_check_env_and_registers():
    check_env(TradingEnv(episode_length=30), skip_render_check=True)
    env = gym.make("HRLXF/Trading-v0", episode_length=10)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)


def test_same_seed_same_episode():
    def run(seed):
        env = TradingEnv(episode_length=25)
        obs, _ = env.reset(seed=seed)
        total = 0.0
        for _ in range(24):
            obs, reward, *_ = env.step(np.array([0.5], np.float32))
            total += reward
        return total, obs

    assert run(3)[0] == run(3)[0] and run(3)[0] != run(4)[0]


def test_csv_source_uses_windows_of_the_file(tmp_path):
    bars, _ = regime_switching_bars(300, seed=1)
    path = tmp_path / "bars.csv"
    pd.DataFrame(
        {
            "timestamp": bars.timestamp,
            "open": bars.open,
            "high": bars.high,
            "low": bars.low,
            "close": bars.close,
            "volume": bars.volume,
        }
    ).to_csv(path, index=False)
    env = parallel_env(
        data=DataSource(kind="csv", path=str(path), start=100, stop=200), episode_length=50
    )
    env.reset(seed=0)
    start = env.core.start_prices[0]
    assert start in bars.close[100:150]
    with pytest.raises(ValueError, match="fewer than 101 bars"):
        parallel_env(
            data=DataSource(kind="csv", path=str(path), start=250), episode_length=100
        ).reset(seed=0)


def test_rule_based_types_trade_as_their_type_says():
    config = TradingConfig(
        types=("trend_follower", "mean_reversion", "hedger", "market_maker", "arbitrageur")
    )
    env = parallel_env(config=config, episode_length=60)
    obs, _ = env.reset(seed=0)
    for _ in range(40):
        stacked = np.stack([obs[a] for a in env.agents])
        actions = rule_actions(stacked, config.types)
        obs, *_ = env.step(
            {a: np.array([actions[i]], np.float32) for i, a in enumerate(env.agents)}
        )
    stacked = np.stack([obs[a] for a in env.possible_agents])
    actions = rule_actions(stacked, config.types)
    assert np.all(np.abs(actions) <= 1.0)
    # The hedger always trades against its own position.
    hedger_position = env.core.position[0, 2]
    assert hedger_position == 0 or np.sign(actions[2]) == -np.sign(hedger_position)


def test_bad_actions_are_named():
    env = parallel_env(episode_length=10)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="missing"):
        env.step({})
    actions = {a: np.array([0.0], np.float32) for a in env.agents}
    actions[env.agents[0]] = np.array([3.0], np.float32)
    with pytest.raises(ValueError, match=f"action of {env.agents[0]} must be in"):
        env.step(actions)
