"""What the hierarchical calibration env walks through, computed once per bar series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.market.bars import Bars
from envs.market.factors import FACTOR_NAMES, FactorConfig, cost_line, factor_scores, net_flow
from envs.market.rolling import rolling_mean, rolling_std, rolling_zscore

REGIME_NAMES = ("volatility_z", "trend", "volatility_level")
WARMUP_BARS = 120  # bars before the first usable one: the factors' trailing windows fill first


@dataclass(frozen=True)
class CalibrationSeries:
    """T bars: ``scores`` (T, K) z-scored factors, ``fast_signal`` (T,) the fast engine's
    position in [-1, 1] (sign-like short-window chip deviation), ``next_return`` (T,) log return
    from bar t to t+1 (0 for the last bar), ``sigma`` (T,) trailing volatility, ``regime`` (T, 3)."""

    scores: np.ndarray
    fast_signal: np.ndarray
    next_return: np.ndarray
    sigma: np.ndarray
    regime: np.ndarray
    factor_names: tuple[str, ...] = FACTOR_NAMES

    def __len__(self) -> int:
        return self.next_return.shape[0]


def build_calibration_series(bars: Bars, config: FactorConfig | None = None) -> CalibrationSeries:
    c = config or FactorConfig()
    close = bars.close
    log_return = np.concatenate([[0.0], np.diff(np.log(close))])
    sigma = np.maximum(rolling_std(log_return, c.volatility_window), 1e-6)
    fast_deviation = close / cost_line(close, net_flow(bars), 5) - 1.0
    fast_signal = np.clip(rolling_zscore(fast_deviation, c.volatility_window), -1.0, 1.0)
    regime = np.stack(
        [
            np.clip(rolling_zscore(sigma, c.zscore_window), -5.0, 5.0),
            np.clip(10.0 * (close / rolling_mean(close, c.value_window // 4) - 1.0), -5.0, 5.0),
            np.clip(100.0 * sigma, 0.0, 10.0),
        ],
        axis=1,
    )
    return CalibrationSeries(
        scores=factor_scores(bars, c),
        fast_signal=fast_signal,
        next_return=np.append(np.diff(np.log(close)), 0.0),
        sigma=sigma,
        regime=regime,
    )
