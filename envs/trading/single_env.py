"""HRLXF/Trading-v0: one learning trader among rule-based opponents (gymnasium view)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from envs.trading.core import TradingConfig
from envs.trading.data_source import DataSource
from envs.trading.parallel_env import TradingParallelEnv
from envs.trading.rules import rule_actions


class TradingEnv(gym.Env):
    """The first trader of ``config.types`` learns; the others follow their type's rule."""

    metadata = {"render_modes": []}

    def __init__(
        self,
        config: TradingConfig | None = None,
        data: DataSource | None = None,
        episode_length: int = 200,
        discrete_actions: int | None = None,
    ) -> None:
        self.market = TradingParallelEnv(config, data, episode_length, discrete_actions)
        self.learner = self.market.possible_agents[0]
        self.observation_space = self.market.observation_space(self.learner)
        self.action_space = self.market.action_space(self.learner)
        self._obs: dict[str, np.ndarray] = {}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._obs, infos = self.market.reset(seed=int(self.np_random.integers(0, 2**31 - 1)))
        return self._obs[self.learner], infos[self.learner]

    def step(self, action):
        others = [a for a in self.market.agents if a != self.learner]
        stacked = np.stack([self._obs[a] for a in others])
        types = [self.market.config.types[self.market.possible_agents.index(a)] for a in others]
        rule = rule_actions(stacked, types)
        actions: dict[str, Any] = {self.learner: action}
        for agent, value in zip(others, rule, strict=True):
            actions[agent] = self.market.env_action(float(value))
        self._obs, rewards, terminations, truncations, infos = self.market.step(actions)
        return (
            self._obs[self.learner],
            rewards[self.learner],
            terminations[self.learner],
            truncations[self.learner],
            infos[self.learner],
        )


__all__ = ["TradingEnv", "TradingConfig", "DataSource"]
