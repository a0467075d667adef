"""Performance of a position series: return after costs, Sharpe, max drawdown, turnover."""

from __future__ import annotations

import numpy as np


def bar_pnl(positions: np.ndarray, next_returns: np.ndarray, cost: float) -> np.ndarray:
    """Per-bar log-return PnL of holding ``positions[t]`` over bar t -> t+1, minus turnover costs
    (the position before the first bar is flat)."""
    turnover = np.abs(np.diff(positions, prepend=0.0))
    return positions * next_returns - cost * turnover


def max_drawdown(pnl: np.ndarray) -> float:
    """Largest fall of the cumulative (log) equity curve from its running peak, >= 0."""
    equity = np.concatenate([[0.0], np.cumsum(pnl)])
    return float(np.max(np.maximum.accumulate(equity) - equity))


def performance(
    positions: np.ndarray, next_returns: np.ndarray, cost: float, bars_per_year: float = 252.0
) -> dict[str, float]:
    pnl = bar_pnl(
        np.asarray(positions, dtype=np.float64), np.asarray(next_returns, dtype=np.float64), cost
    )
    std = pnl.std()
    return {
        "return_after_costs": float(pnl.sum()),
        "sharpe": float(pnl.mean() / std * np.sqrt(bars_per_year)) if std > 0 else 0.0,
        "max_drawdown": max_drawdown(pnl),
        "turnover": float(np.abs(np.diff(positions, prepend=0.0)).sum()),
    }
