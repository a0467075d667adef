"""PettingZoo ParallelEnv over one market of the vectorized core (B = 1)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from envs.trading.core import N_FEATURES, OBS_BOUND, MarketCore, TradingConfig
from envs.trading.data_source import DataSource, episode_arrays


def action_levels(n_levels: int | None) -> np.ndarray | None:
    """Discrete actions map to evenly spaced trade fractions in [-1, 1]; None means continuous."""
    if n_levels is None:
        return None
    if n_levels < 2:
        raise ValueError(f"discrete_actions needs at least 2 levels, got {n_levels}")
    return np.linspace(-1.0, 1.0, n_levels)


class TradingParallelEnv(ParallelEnv):
    """N heterogeneous traders on one market; agents are named ``<type>_<index>``.

    Observation (F=24): 8 market indicators, own portfolio (6: position value, cash share, return
    so far, last trade, position in units of its limit, bars left / 100), messages from the other traders'
    real positions and flows plus the price's gap to its exogenous path (4), type one-hot (6).
    Action: a trade in [-1, 1] x max_trade (Box of shape (1,)), or with ``discrete_actions=k``
    one of k evenly spaced trades. Reward: step return net of costs, with the type's terms.
    """

    metadata = {"name": "hrlxf_trading_v0", "render_modes": []}

    def __init__(
        self,
        config: TradingConfig | None = None,
        data: DataSource | None = None,
        episode_length: int = 200,
        discrete_actions: int | None = None,
    ) -> None:
        if episode_length < 2:
            raise ValueError(f"episode_length must be >= 2, got {episode_length}")
        self.config = config or TradingConfig()
        self.data = data or DataSource()
        self._bars = self.data.load()
        self.episode_length = episode_length
        self._levels = action_levels(discrete_actions)
        self.possible_agents = [f"{t}_{i}" for i, t in enumerate(self.config.types)]
        self.agents: list[str] = []
        self.core: MarketCore | None = None
        self._rng = np.random.default_rng()

    @functools.cache  # noqa: B019 - one space object per agent, as PettingZoo expects
    def observation_space(self, agent: str) -> spaces.Box:
        return spaces.Box(-OBS_BOUND, OBS_BOUND, shape=(N_FEATURES,), dtype=np.float32)

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> spaces.Space:
        if self._levels is None:
            return spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        return spaces.Discrete(len(self._levels))

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        returns, volumes, start = episode_arrays(
            self.data, self._bars, 1, self.episode_length, self._rng
        )
        self.core = MarketCore(self.config, returns, volumes, start)
        obs = self.core.reset()[0]
        self.agents = list(self.possible_agents)
        return {a: obs[i] for i, a in enumerate(self.agents)}, {a: {} for a in self.agents}

    def env_action(self, fraction: float) -> Any:
        """The env action closest to trading ``fraction`` (in [-1, 1]) of the maximum trade."""
        if self._levels is None:
            return np.array([fraction], dtype=np.float32)
        return int(np.argmin(np.abs(self._levels - fraction)))

    def to_trades(self, actions: dict[str, Any]) -> np.ndarray:
        """Env actions of all live agents -> trade fractions (1, N); errors name the agent."""
        missing = sorted(set(self.agents) - set(actions))
        if missing:
            raise ValueError(f"step() needs an action for every live agent; missing {missing}")
        trades = np.zeros((1, len(self.possible_agents)))
        for i, agent in enumerate(self.possible_agents):
            action = actions[agent]
            if not self.action_space(agent).contains(
                np.asarray(action, dtype=np.float32) if self._levels is None else action
            ):
                raise ValueError(
                    f"action of {agent} must be in {self.action_space(agent)}, got {action!r}"
                )
            trades[0, i] = (
                float(np.asarray(action).reshape(-1)[0])
                if self._levels is None
                else self._levels[int(action)]
            )
        return trades

    def step(self, actions: dict[str, Any]):
        if self.core is None or not self.agents:
            raise RuntimeError("call reset() before step(); the episode may be over")
        obs, rewards, parts = self.core.step(self.to_trades(actions))
        done = self.core.done
        # With a deadline the task itself ends there (nothing is held after it): termination, so
        # learners do not bootstrap past it. Without one the market goes on beyond the episode:
        # truncation by the time limit.
        ends = done and self.config.liquidate_at_end
        out = (
            {a: obs[0, i] for i, a in enumerate(self.agents)},
            {a: float(rewards[0, i]) for i, a in enumerate(self.agents)},
            {a: ends for a in self.agents},
            {a: done and not ends for a in self.agents},
            {
                a: {"pnl": float(parts["pnl"][0, i]), "equity": float(self.core.equity[0, i])}
                for i, a in enumerate(self.agents)
            },
        )
        if done:
            self.agents = []
        return out


def parallel_env(**kwargs: Any) -> TradingParallelEnv:
    """PettingZoo-style constructor; runnable with no arguments."""
    return TradingParallelEnv(**kwargs)
