"""Uniform random actions, respecting action masks where the env offers them."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


class RandomPolicy:
    """Samples the env's action space; for MultiDiscrete spaces whose ``info`` carries an
    ``action_mask`` (flat, as in SCMLRoundEnv), samples uniformly among the allowed choices of
    every dimension."""

    def __init__(self, env, seed: int | None = None) -> None:
        self.env = env
        self.rng = np.random.default_rng(seed)

    def __call__(self, observation=None, info: dict | None = None) -> np.ndarray:
        space = self.env.action_space
        if isinstance(space, spaces.MultiDiscrete) and info and "action_mask" in info:
            mask = info["action_mask"]
            choices, start = [], 0
            for size in space.nvec:
                allowed = np.flatnonzero(mask[start : start + size])
                choices.append(self.rng.choice(allowed) if allowed.size else 0)
                start += size
            return np.array(choices, dtype=space.dtype)
        if isinstance(space, spaces.Box):
            return self.rng.uniform(space.low, space.high).astype(space.dtype)
        raise ValueError(f"RandomPolicy does not support {space}")
