"""Causal rolling statistics over whole series (value at t uses bars t-window+1 .. t only).

The first window-1 values use the bars available so far (fewer than ``window``)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _windows(values: np.ndarray, window: int) -> np.ndarray:
    """(T, window) views; the first rows are padded with NaN where the window starts early."""
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    padded = np.concatenate([np.full(window - 1, np.nan), np.asarray(values, dtype=np.float64)])
    return sliding_window_view(padded, window)


def rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    return np.nanmean(_windows(values, window), axis=1)


def rolling_std(values: np.ndarray, window: int) -> np.ndarray:
    w = _windows(values, window)
    count = np.sum(~np.isnan(w), axis=1)
    return np.where(count > 1, np.nanstd(np.where(count[:, None] > 1, w, 0.0), axis=1), 0.0)


def rolling_zscore(values: np.ndarray, window: int, min_std: float = 1e-12) -> np.ndarray:
    """(x_t - mean) / std over the trailing window; 0 where the std is (near) zero."""
    std = rolling_std(values, window)
    z = (np.asarray(values, dtype=np.float64) - rolling_mean(values, window)) / np.maximum(
        std, min_std
    )
    return np.where(std > min_std, z, 0.0)


def rolling_sharpe(pnl: np.ndarray, window: int, periods_per_year: float = 252.0) -> np.ndarray:
    """Annualized mean / std of per-bar PnL over the trailing window (0 where std is 0)."""
    std = rolling_std(pnl, window)
    mean = rolling_mean(pnl, window)
    return np.where(std > 0, mean / np.where(std > 0, std, 1.0) * np.sqrt(periods_per_year), 0.0)


def rolling_max_drawdown(pnl: np.ndarray, window: int) -> np.ndarray:
    """Largest fall of cumulative (log) PnL from its running peak inside the trailing window."""
    w = np.nan_to_num(_windows(pnl, window))
    equity = np.concatenate([np.zeros((len(w), 1)), np.cumsum(w, axis=1)], axis=1)
    return np.max(np.maximum.accumulate(equity, axis=1) - equity, axis=1)


def rolling_corr(a: np.ndarray, b: np.ndarray, window: int) -> np.ndarray:
    """Pearson correlation of two series over the trailing window (0 where either is constant)."""
    wa, wb = _windows(a, window), _windows(b, window)
    ma, mb = np.nanmean(wa, axis=1, keepdims=True), np.nanmean(wb, axis=1, keepdims=True)
    cov = np.nanmean((wa - ma) * (wb - mb), axis=1)
    sa, sb = (
        np.sqrt(np.nanmean((wa - ma) ** 2, axis=1)),
        np.sqrt(np.nanmean((wb - mb) ** 2, axis=1)),
    )
    ok = (sa > 1e-12) & (sb > 1e-12)
    return np.where(ok, cov / np.where(ok, sa * sb, 1.0), 0.0)


def window_corr(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two short 1-D windows (0 if either is constant or too short)."""
    if len(a) < 3:
        return 0.0
    da, db = a - a.mean(), b - b.mean()
    denom = np.sqrt((da * da).sum() * (db * db).sum())
    return float((da * db).sum() / denom) if denom > 1e-12 else 0.0
