"""Uniform random actions, respecting action masks where the env offers them."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


class RandomPolicy:
    """Samples the env's action space; for MultiDiscrete spaces with ``env.action_masks()``,
    samples uniformly among the allowed choices of every dimension."""

    def __init__(self, env, seed: int | None = None) -> None:
        self.env = env
        self.rng = np.random.default_rng(seed)

    def __call__(self, observation=None) -> np.ndarray:
        space = self.env.action_space
        if isinstance(space, spaces.MultiDiscrete) and hasattr(self.env, "action_masks"):
            mask = self.env.action_masks()
            choices, start = [], 0
            for size in space.nvec:
                allowed = np.flatnonzero(mask[start : start + size])
                choices.append(self.rng.choice(allowed) if allowed.size else 0)
                start += size
            return np.array(choices, dtype=space.dtype)
        if isinstance(space, spaces.Box):
            return self.rng.uniform(space.low, space.high).astype(space.dtype)
        raise ValueError(f"RandomPolicy does not support {space}")
