"""Factors of the calibration environment, computed vectorized from OHLCV bars (every value at bar t uses bars <= t).

- chip / flow (F_C): the bar's net flow is approximated from where it closed inside its range
  (close-location value x volume; bars carry no order-flow split). The cumulative net cost line
  LAC = sum(price * net_flow) / sum(net_flow) over a trailing window (the seed's RCNC on a
  window), forward-filled where the window's net flow is ~0; the factor is the price's deviation
  from that line.
- sentiment proxy (F_S): with no news feed, fear/greed is proxied by the short-term return shock
  minus the volatility shock (fear = falling prices on rising volatility).
- value (F_V): the price's discount to its long moving average (cheap = positive).
All three are z-scored over a trailing window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.market.bars import Bars
from envs.market.rolling import rolling_mean, rolling_std, rolling_zscore

FACTOR_NAMES = ("chip", "sentiment", "value")


@dataclass(frozen=True)
class FactorConfig:
    cost_window: int = 60
    shock_window: int = 5
    volatility_window: int = 20
    value_window: int = 120
    zscore_window: int = 60

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if value < 2:
                raise ValueError(f"FactorConfig.{name} must be >= 2, got {value}")


def net_flow(bars: Bars) -> np.ndarray:
    """Signed volume: +volume when the bar closed at its high, -volume at its low."""
    span = bars.high - bars.low
    location = np.where(
        span > 0,
        ((bars.close - bars.low) - (bars.high - bars.close)) / np.where(span > 0, span, 1.0),
        0.0,
    )
    return location * bars.volume


def cost_line(close: np.ndarray, flow: np.ndarray, window: int) -> np.ndarray:
    """Trailing-window net cost line sum(p * flow) / sum(flow); where the window's net flow is
    too small to define a cost (|sum| < 5% of the window's gross flow), the last defined value
    carries on (the close itself before any is defined)."""
    cost = np.convolve(close * flow, np.ones(window))[: len(close)]
    net = np.convolve(flow, np.ones(window))[: len(close)]
    gross = np.convolve(np.abs(flow), np.ones(window))[: len(close)]
    defined = np.abs(net) >= 0.05 * np.maximum(gross, 1e-12)
    line = np.where(defined, cost / np.where(defined, net, 1.0), np.nan)
    last = np.maximum.accumulate(np.where(defined, np.arange(len(close)), -1))
    return np.where(last >= 0, line[np.maximum(last, 0)], close)


def raw_factors(bars: Bars, config: FactorConfig | None = None) -> np.ndarray:
    """(T, 3) un-normalized chip, sentiment and value factors."""
    c = config or FactorConfig()
    close = bars.close
    log_return = np.concatenate([[0.0], np.diff(np.log(close))])
    line = cost_line(close, net_flow(bars), c.cost_window)
    chip = close / line - 1.0
    volatility = rolling_std(log_return, c.volatility_window)
    shock = rolling_mean(log_return, c.shock_window) / np.maximum(
        rolling_mean(volatility, c.zscore_window), 1e-12
    )
    volatility_shock = (
        volatility / np.maximum(rolling_mean(volatility, c.zscore_window), 1e-12) - 1.0
    )
    sentiment = shock - volatility_shock
    value = 1.0 - close / rolling_mean(close, c.value_window)
    return np.stack([chip, sentiment, value], axis=1)


def factor_scores(bars: Bars, config: FactorConfig | None = None) -> np.ndarray:
    """(T, 3) z-scored factors (trailing window), clipped to [-5, 5]."""
    c = config or FactorConfig()
    raw = raw_factors(bars, c)
    z = np.stack([rolling_zscore(raw[:, k], c.zscore_window) for k in range(raw.shape[1])], axis=1)
    return np.clip(z, -5.0, 5.0)


def predicted_return(
    scores: np.ndarray, betas: np.ndarray, thresholds: np.ndarray, scale: float
) -> np.ndarray:
    """Beta-weighted sum of the factors that pass their thresholds, times ``scale`` (return per
    unit of z). scores (..., K), betas and thresholds (..., K)."""
    gated = np.where(np.abs(scores) > thresholds, scores, 0.0)
    return scale * np.sum(betas * gated, axis=-1)
