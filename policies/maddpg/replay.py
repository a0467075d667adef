"""Joint replay: one row holds every agent's transition of the same environment step.

Sampling draws one set of row indices for all agents, so the critic of agent i always sees the
observations and actions the other agents really had at that step.
"""

from __future__ import annotations

import numpy as np


class JointReplayBuffer:
    """Ring buffer of joint transitions; per-agent arrays keep heterogeneous shapes.

    Args:
        obs_dims / action_dims: one entry per agent.
        capacity: rows kept; the oldest are overwritten.
    """

    def __init__(self, obs_dims: list[int], action_dims: list[int], capacity: int) -> None:
        if len(obs_dims) != len(action_dims) or not obs_dims:
            raise ValueError("obs_dims and action_dims need one entry per agent (at least one)")
        if capacity <= 0:
            raise ValueError(f"capacity must be > 0, got {capacity}")
        self.capacity, self.n_agents = capacity, len(obs_dims)
        self.obs = [np.zeros((capacity, d), np.float32) for d in obs_dims]
        self.next_obs = [np.zeros((capacity, d), np.float32) for d in obs_dims]
        self.actions = [np.zeros((capacity, d), np.float32) for d in action_dims]
        self.rewards = np.zeros((capacity, self.n_agents), np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self._next, self.size = 0, 0

    def add(
        self,
        obs: list[np.ndarray],
        actions: list[np.ndarray],
        rewards: np.ndarray,
        next_obs: list[np.ndarray],
        terminated: np.ndarray,
    ) -> None:
        """Add E joint transitions: per-agent arrays (E, dim), rewards (E, N), terminated (E,)."""
        n_rows = len(rewards)
        if rewards.shape != (n_rows, self.n_agents) or terminated.shape != (n_rows,):
            raise ValueError(
                f"rewards must be (E, {self.n_agents}) and terminated (E,), got {rewards.shape} and {terminated.shape}"
            )
        rows = (self._next + np.arange(n_rows)) % self.capacity
        for i in range(self.n_agents):
            self.obs[i][rows] = obs[i]
            self.actions[i][rows] = actions[i]
            self.next_obs[i][rows] = next_obs[i]
        self.rewards[rows] = rewards
        self.terminated[rows] = terminated
        self._next = (self._next + n_rows) % self.capacity
        self.size = min(self.size + n_rows, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> dict[str, object]:
        """A batch of joint transitions, the same rows for every agent."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        rows = rng.integers(0, self.size, size=batch_size)
        return {
            "obs": [o[rows] for o in self.obs],
            "actions": [a[rows] for a in self.actions],
            "next_obs": [o[rows] for o in self.next_obs],
            "rewards": self.rewards[rows],
            "terminated": self.terminated[rows],
        }
