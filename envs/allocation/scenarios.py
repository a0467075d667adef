"""Known-answer scenarios for the allocation MDP: advisors of planted skill.

A skilled advisor calls the sign of the *next* bar's return correctly with probability
``skill`` (0.5: a coin flip), so the right answer is known: weight the skilled advisor. The
votes use the future by construction; they are a test of the learner, not an advisor one could
run. Bars come from the project's GBM generator (no signal of their own).
"""

from __future__ import annotations

import numpy as np

from envs.allocation.advisors import BUY, HOLD, SELL, VOTE_SIZE
from envs.allocation.series import AllocationSeries
from envs.market.generators import gbm_bars
from envs.market.indicators import indicators_batch


def planted_skill_series(
    skills: tuple[float, ...] = (0.55, 0.5, 0.5, 0.5), n_bars: int = 3000, seed: int = 0
) -> AllocationSeries:
    """An AllocationSeries whose advisor k is right about the next return's sign with
    probability ``skills[k]`` (confidence 1); named ``skill_<p>_<k>``."""
    if not skills or any(not 0.0 <= p <= 1.0 for p in skills):
        raise ValueError(f"skills must be probabilities, got {skills}")
    bars = gbm_bars(n_bars, sigma=0.01, seed=seed)
    next_return = np.append(np.diff(np.log(bars.close)), 0.0)
    rng = np.random.default_rng(seed + 1)
    up = next_return > 0
    votes = np.zeros((n_bars, len(skills), VOTE_SIZE))
    for k, skill in enumerate(skills):
        right = rng.random(n_bars) < skill
        calls_up = np.where(right, up, ~up)
        votes[:, k, BUY] = calls_up
        votes[:, k, SELL] = ~calls_up
        votes[:, k, 3] = 1.0
    votes[-1, :, :3] = 0.0
    votes[-1, :, HOLD] = 1.0  # nothing to call after the last bar
    names = tuple(f"skill_{p:g}_{k}" for k, p in enumerate(skills))
    return AllocationSeries(votes, next_return, indicators_batch(bars.close), names)
