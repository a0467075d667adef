"""Performance of a position series: return after costs, Sharpe, max drawdown, turnover, and
how varied the positions are (time in market, entropy of the long / flat / short choice), so
that a policy collapsed onto one action is seen at once."""

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
        "time_in_market": float(np.mean(np.asarray(positions) != 0.0)),
        "position_entropy": position_entropy(np.asarray(positions)),
    }


def position_entropy(positions: np.ndarray) -> float:
    """Entropy of the sign of the position (short / flat / long) in units of log 3: 0 when a
    policy always does the same, 1 when it spreads evenly over the three."""
    signs = np.sign(positions).astype(int) + 1
    shares = np.bincount(signs, minlength=3) / max(len(signs), 1)
    shares = shares[shares > 0]
    return float(-(shares * np.log(shares)).sum() / np.log(3.0))
