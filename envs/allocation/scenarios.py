"""Known-answer scenarios for the allocation MDP and the calibration env: advisors of planted
skill, a factor of planted predictive power.

A skilled advisor calls the sign of the *next* bar's return correctly with probability
``skill`` (0.5: a coin flip), so the right answer is known: weight the skilled advisor. The
votes use the future by construction; they are a test of the learner, not an advisor one could
run. Bars come from the project's GBM generator (no signal of their own).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from envs.allocation.advisors import BUY, HOLD, SELL, VOTE_SIZE
from envs.allocation.calibration_series import CalibrationSeries, build_calibration_series
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
    bars = gbm_bars(n_bars, sigma=BAR_SIGMA, seed=seed)
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


BAR_SIGMA = 0.01  # per-bar volatility of the scenarios' GBM bars


def planted_factor_series(
    power: float = 0.6, factor: str = "value", n_bars: int = 3000, seed: int = 0
) -> CalibrationSeries:
    """A CalibrationSeries (GBM bars) whose factor ``factor`` is replaced by a score with
    correlation ``power`` to the next bar's volatility-normalized return; the other factors are
    the bars' own (signal-free on GBM). The known answer for the calibration env: the planted
    factor's agent should raise its beta."""
    if not 0.0 <= power <= 1.0:
        raise ValueError(f"power must be a correlation in [0, 1], got {power}")
    series = build_calibration_series(gbm_bars(n_bars, sigma=BAR_SIGMA, seed=seed))
    if factor not in series.factor_names:
        raise ValueError(f"factor must be one of {series.factor_names}, got {factor!r}")
    # The generator's own volatility normalizes (the trailing estimate is ~0 in the first bars).
    normalized = (series.next_return - series.next_return.mean()) / BAR_SIGMA
    noise = np.random.default_rng(seed + 1).standard_normal(n_bars)
    planted = power * normalized + np.sqrt(1.0 - power**2) * noise
    scores = series.scores.copy()
    scores[:, series.factor_names.index(factor)] = np.clip(planted, -5.0, 5.0)
    return replace(series, scores=scores)
