"""Technical indicators, computed incrementally (O(1) per bar, batched over B series) and in one
pass over a whole series (the reference the incremental version must match).

Features per bar, in order (``FEATURE_NAMES``): log return; close over the short and the long
simple moving average, minus one; MACD line, signal and histogram (EMA 12/26/9, over price);
RSI (Wilder smoothing, scaled to [0, 1]); rolling standard deviation of log returns.
Windows are partial while the series is shorter than them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURE_NAMES = (
    "log_return",
    "sma_short_gap",
    "sma_long_gap",
    "macd",
    "macd_signal",
    "macd_hist",
    "rsi",
    "volatility",
)


@dataclass(frozen=True)
class IndicatorConfig:
    sma_short: int = 10
    sma_long: int = 30
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    rsi_period: int = 14
    volatility_window: int = 20

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if value < 1:
                raise ValueError(f"IndicatorConfig.{name} must be >= 1, got {value}")


def _alpha(span: int) -> float:
    return 2.0 / (span + 1.0)


class IncrementalIndicators:
    """Indicator state of B price series; ``update(close)`` consumes one bar of each series and
    returns the features of shape (B, 8) in O(1) per series (ring buffers and running sums)."""

    def __init__(self, batch: int, config: IndicatorConfig | None = None) -> None:
        self.config = config or IndicatorConfig()
        self.batch = batch
        c = self.config
        self.t = 0
        self._closes = np.zeros((batch, c.sma_long))
        self._returns = np.zeros((batch, c.volatility_window))
        self._sum_short = np.zeros(batch)
        self._sum_long = np.zeros(batch)
        self._sum_r = np.zeros(batch)
        self._sum_r2 = np.zeros(batch)
        self._last = np.zeros(batch)
        self._ema_fast = np.zeros(batch)
        self._ema_slow = np.zeros(batch)
        self._signal = np.zeros(batch)
        self._gain = np.zeros(batch)
        self._loss = np.zeros(batch)

    def update(self, close: np.ndarray) -> np.ndarray:
        c = self.config
        close = np.asarray(close, dtype=np.float64)
        t = self.t
        first = t == 0
        change = np.zeros(self.batch) if first else close - self._last
        log_return = np.zeros(self.batch) if first else np.log(close / self._last)

        # Simple moving averages over ring buffers: add the new close, drop the one that leaves.
        slot = t % c.sma_long
        leaving_long = self._closes[:, slot].copy() if t >= c.sma_long else 0.0
        leaving_short = (
            self._closes[:, (t - c.sma_short) % c.sma_long].copy() if t >= c.sma_short else 0.0
        )
        self._closes[:, slot] = close
        self._sum_long += close - leaving_long
        self._sum_short += close - leaving_short
        sma_short = self._sum_short / min(t + 1, c.sma_short)
        sma_long = self._sum_long / min(t + 1, c.sma_long)

        # Rolling volatility of log returns (the first bar's return counts as 0).
        r_slot = t % c.volatility_window
        old = self._returns[:, r_slot].copy() if t >= c.volatility_window else 0.0
        self._returns[:, r_slot] = log_return
        self._sum_r += log_return - old
        self._sum_r2 += log_return**2 - old**2
        n = min(t + 1, c.volatility_window)
        mean = self._sum_r / n
        volatility = np.sqrt(np.maximum(0.0, self._sum_r2 / n - mean**2))

        # EMAs start at the first value.
        if first:
            self._ema_fast[:] = close
            self._ema_slow[:] = close
        else:
            self._ema_fast += _alpha(c.macd_fast) * (close - self._ema_fast)
            self._ema_slow += _alpha(c.macd_slow) * (close - self._ema_slow)
        macd = (self._ema_fast - self._ema_slow) / close
        if first:
            self._signal[:] = macd
        else:
            self._signal += _alpha(c.macd_signal) * (macd - self._signal)

        # RSI with Wilder smoothing (alpha = 1 / period), from zero.
        wilder = 1.0 / c.rsi_period
        self._gain += wilder * (np.maximum(change, 0.0) - self._gain)
        self._loss += wilder * (np.maximum(-change, 0.0) - self._loss)
        total = self._gain + self._loss
        rsi = np.where(total > 0, self._gain / np.where(total > 0, total, 1.0), 0.5)

        self._last = close
        self.t += 1
        return np.stack(
            [
                log_return,
                close / sma_short - 1.0,
                close / sma_long - 1.0,
                macd,
                self._signal.copy(),
                macd - self._signal,
                rsi,
                volatility,
            ],
            axis=1,
        )


def indicators_batch(close: np.ndarray, config: IndicatorConfig | None = None) -> np.ndarray:
    """All features of one whole series at once, shape (T, 8): the reference definitions."""
    c = config or IndicatorConfig()
    close = np.asarray(close, dtype=np.float64)
    n_bars = close.shape[0]
    log_return = np.concatenate([[0.0], np.diff(np.log(close))])
    change = np.concatenate([[0.0], np.diff(close)])

    def rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
        sums = np.cumsum(values)
        sums[window:] = sums[window:] - sums[:-window]
        return sums / np.minimum(np.arange(1, n_bars + 1), window)

    def ema(values: np.ndarray, alpha: float) -> np.ndarray:
        out = np.empty_like(values)
        out[0] = values[0]
        for i in range(1, len(values)):
            out[i] = out[i - 1] + alpha * (values[i] - out[i - 1])
        return out

    mean_r = rolling_mean(log_return, c.volatility_window)
    volatility = np.sqrt(
        np.maximum(0.0, rolling_mean(log_return**2, c.volatility_window) - mean_r**2)
    )
    macd = (ema(close, _alpha(c.macd_fast)) - ema(close, _alpha(c.macd_slow))) / close
    signal = ema(macd, _alpha(c.macd_signal))
    wilder = 1.0 / c.rsi_period
    gain = ema(np.concatenate([[0.0], np.maximum(change, 0.0)]), wilder)[1:]
    loss = ema(np.concatenate([[0.0], np.maximum(-change, 0.0)]), wilder)[1:]
    total = gain + loss
    rsi = np.where(total > 0, gain / np.where(total > 0, total, 1.0), 0.5)
    return np.stack(
        [
            log_return,
            close / rolling_mean(close, c.sma_short) - 1.0,
            close / rolling_mean(close, c.sma_long) - 1.0,
            macd,
            signal,
            macd - signal,
            rsi,
            volatility,
        ],
        axis=1,
    )
