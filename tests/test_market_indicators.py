"""Incremental indicators equal the whole-series computation."""

import numpy as np
import pytest

from envs.market.generators import gbm_bars, regime_switching_bars
from envs.market.indicators import (
    FEATURE_NAMES,
    IncrementalIndicators,
    IndicatorConfig,
    indicators_batch,
)


@pytest.mark.parametrize(
    "config", [IndicatorConfig(), IndicatorConfig(sma_short=3, sma_long=7, volatility_window=5)]
)
def test_incremental_equals_batch_for_every_series(config):
    a = gbm_bars(600, sigma=0.02, seed=1).close
    b, _ = regime_switching_bars(600, seed=2)
    closes = np.stack([a, b.close, a[::-1].copy()], axis=1)
    state = IncrementalIndicators(3, config)
    rows = np.stack([state.update(closes[t]) for t in range(600)])
    assert rows.shape == (600, 3, len(FEATURE_NAMES))
    for series in range(3):
        np.testing.assert_allclose(
            rows[:, series], indicators_batch(closes[:, series], config), rtol=1e-9, atol=1e-12
        )


def test_features_are_finite_and_rsi_in_unit_interval():
    features = indicators_batch(gbm_bars(300, sigma=0.05, seed=3).close)
    assert np.isfinite(features).all()
    rsi = features[:, FEATURE_NAMES.index("rsi")]
    assert rsi.min() >= 0 and rsi.max() <= 1


def test_rising_prices_push_rsi_and_macd_up():
    close = np.linspace(100, 200, 100)
    features = indicators_batch(close)
    assert features[-1, FEATURE_NAMES.index("rsi")] == pytest.approx(1.0)
    assert features[-1, FEATURE_NAMES.index("macd")] > 0


def test_bad_config_is_named():
    with pytest.raises(ValueError, match="sma_long must be >= 1"):
        IndicatorConfig(sma_long=0)
