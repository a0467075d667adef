"""Synthetic bars for tests and curricula: geometric Brownian motion and regime switching."""

from __future__ import annotations

import numpy as np

from envs.market.bars import Bars

SUBSTEPS = 8  # intra-bar points that give each bar its open/high/low


def _bars_from_log_returns(
    log_returns: np.ndarray, s0: float, rng: np.random.Generator, volume_scale: float
) -> Bars:
    """Bars from intra-bar log returns of shape (T, SUBSTEPS)."""
    n_bars = log_returns.shape[0]
    path = np.log(s0) + np.cumsum(log_returns.reshape(-1))
    path = np.exp(path).reshape(n_bars, SUBSTEPS)
    opens = np.concatenate([[s0], path[:-1, -1]])
    highs = np.maximum(path.max(axis=1), opens)
    lows = np.minimum(path.min(axis=1), opens)
    closes = path[:, -1]
    # Volume rises with the bar's absolute move (activity clusters with volatility).
    move = np.abs(np.log(closes / opens))
    volume = volume_scale * (1.0 + 50.0 * move) * rng.lognormal(0.0, 0.25, n_bars)
    return Bars(np.arange(n_bars, dtype=np.int64), opens, highs, lows, closes, volume)


def gbm_bars(
    n_bars: int,
    mu: float = 0.0,
    sigma: float = 0.01,
    s0: float = 100.0,
    seed: int = 0,
    volume_scale: float = 1_000.0,
) -> Bars:
    """Geometric Brownian motion with per-bar drift ``mu`` and volatility ``sigma`` (log terms)."""
    if n_bars < 1 or sigma < 0 or s0 <= 0:
        raise ValueError(f"need n_bars >= 1, sigma >= 0, s0 > 0; got {n_bars=}, {sigma=}, {s0=}")
    rng = np.random.default_rng(seed)
    dt = 1.0 / SUBSTEPS
    steps = (mu - 0.5 * sigma**2) * dt + sigma * np.sqrt(dt) * rng.standard_normal(
        (n_bars, SUBSTEPS)
    )
    return _bars_from_log_returns(steps, s0, rng, volume_scale)


def regime_switching_bars(
    n_bars: int,
    drifts: tuple[float, ...] = (0.0005, -0.0005, 0.0),
    vols: tuple[float, ...] = (0.006, 0.02, 0.01),
    stay_probability: float = 0.98,
    s0: float = 100.0,
    seed: int = 0,
    volume_scale: float = 1_000.0,
) -> tuple[Bars, np.ndarray]:
    """A Markov chain of regimes (drift, volatility per bar); returns the bars and the regime of
    each bar. Regimes persist (``stay_probability``), so volatility comes in clusters."""
    if len(drifts) != len(vols) or not drifts:
        raise ValueError("drifts and vols must have the same, non-zero length")
    if not 0.0 <= stay_probability <= 1.0:
        raise ValueError(f"stay_probability must be in [0, 1], got {stay_probability}")
    rng = np.random.default_rng(seed)
    n_regimes = len(drifts)
    regimes = np.empty(n_bars, dtype=np.int64)
    regimes[0] = rng.integers(n_regimes)
    switches = rng.random(n_bars) > stay_probability
    jumps = rng.integers(1, max(n_regimes, 2), size=n_bars)
    for t in range(
        1, n_bars
    ):  # a Markov chain is sequential by nature; T iterations, generated once
        regimes[t] = (regimes[t - 1] + jumps[t]) % n_regimes if switches[t] else regimes[t - 1]
    mu, sigma = np.asarray(drifts)[regimes], np.asarray(vols)[regimes]
    dt = 1.0 / SUBSTEPS
    noise = rng.standard_normal((n_bars, SUBSTEPS))
    steps = (mu - 0.5 * sigma**2)[:, None] * dt + (sigma * np.sqrt(dt))[:, None] * noise
    return _bars_from_log_returns(steps, s0, rng, volume_scale), regimes
