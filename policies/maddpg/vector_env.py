"""E copies of a PettingZoo ParallelEnv stepped together, with per-agent arrays and auto-reset.

MADDPG's joint transitions need every agent at every step, so agents must stay alive for the
whole episode (true of MPE and of the trading simulator); an env that drops agents early is
rejected with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from pettingzoo import ParallelEnv


class ParallelEnvBatch:
    def __init__(self, make_env: Callable[[], ParallelEnv], n_envs: int, seed: int) -> None:
        if n_envs < 1:
            raise ValueError(f"n_envs must be >= 1, got {n_envs}")
        self.envs = [make_env() for _ in range(n_envs)]
        self.agents: list[str] = list(self.envs[0].possible_agents)
        self.observation_spaces = [self.envs[0].observation_space(a) for a in self.agents]
        self.action_spaces = [self.envs[0].action_space(a) for a in self.agents]
        self._seeds = np.random.SeedSequence(seed).generate_state(n_envs)
        self._obs: list[dict[str, np.ndarray]] = []
        self.episode_returns = np.zeros((n_envs, len(self.agents)))
        self.finished_returns: list[np.ndarray] = []

    @property
    def n_envs(self) -> int:
        return len(self.envs)

    def stack(self, per_env: list[dict[str, Any]]) -> list[np.ndarray]:
        return [np.stack([np.asarray(o[a], np.float32) for o in per_env]) for a in self.agents]

    def reset(self) -> list[np.ndarray]:
        """Seed every copy (distinct seeds from ``seed``); later resets continue their RNGs."""
        self._obs = [
            env.reset(seed=int(s))[0] for env, s in zip(self.envs, self._seeds, strict=True)
        ]
        self.episode_returns[:] = 0.0
        return self.stack(self._obs)

    def step(
        self, env_actions: list[list[Any]]
    ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, list[np.ndarray]]:
        """env_actions[i][e]: agent i's action in copy e.

        Returns (next_obs, rewards (E, N), terminated (E,), obs_after_reset): ``next_obs`` is the
        transition's true next observation; ``obs_after_reset`` is where each copy continues.
        """
        next_obs, continue_obs = [], []
        rewards = np.zeros((self.n_envs, len(self.agents)), np.float32)
        terminated = np.zeros(self.n_envs, np.float32)
        for e, env in enumerate(self.envs):
            actions = {a: env_actions[i][e] for i, a in enumerate(self.agents)}
            obs, rew, term, trunc, _ = env.step(actions)
            if set(obs) != set(self.agents) and env.agents:
                raise ValueError(
                    f"agents left the episode early ({sorted(set(self.agents) - set(obs))}); joint replay needs all agents every step"
                )
            rewards[e] = [rew[a] for a in self.agents]
            terminated[e] = float(any(term[a] for a in self.agents))
            next_obs.append(obs)
            done = not env.agents or any(term[a] or trunc[a] for a in self.agents)
            if done:
                self.finished_returns.append(self.episode_returns[e] + rewards[e])
                self.episode_returns[e] = 0.0
                obs = env.reset()[0]  # the copy's own RNG goes on: a new episode, reproducibly
            else:
                self.episode_returns[e] += rewards[e]
            continue_obs.append(obs)
        self._obs = continue_obs
        return self.stack(next_obs), rewards, terminated, self.stack(continue_obs)

    def pop_finished_returns(self) -> np.ndarray:
        """Per-agent returns of the episodes finished since the last call, (n_episodes, N)."""
        out = np.array(self.finished_returns).reshape(-1, len(self.agents))
        self.finished_returns = []
        return out
