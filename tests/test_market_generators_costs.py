"""Synthetic price generators and the cost model."""

import numpy as np
import pytest

from envs.market.costs import CostModel
from envs.market.generators import gbm_bars, regime_switching_bars


def test_generators_are_seeded_and_produce_valid_bars():
    a, b = gbm_bars(200, seed=4), gbm_bars(200, seed=4)
    np.testing.assert_array_equal(a.close, b.close)
    assert not np.array_equal(a.close, gbm_bars(200, seed=5).close)
    for bars in (a, regime_switching_bars(200, seed=1)[0]):
        assert np.all(bars.high >= np.maximum(bars.open, bars.close))
        assert np.all(bars.low <= np.minimum(bars.open, bars.close))
        assert np.all(bars.volume > 0) and np.all(bars.close > 0)


def test_gbm_volatility_matches_its_parameter():
    bars = gbm_bars(20_000, sigma=0.01, seed=0)
    assert np.std(np.diff(np.log(bars.close))) == pytest.approx(0.01, rel=0.05)


def test_regimes_persist_and_cluster_volatility():
    bars, regimes = regime_switching_bars(
        20_000, vols=(0.005, 0.03), drifts=(0.0, 0.0), stay_probability=0.99, seed=0
    )
    assert np.mean(regimes[1:] != regimes[:-1]) == pytest.approx(0.01, abs=0.005)
    returns = np.diff(np.log(bars.close))
    calm, wild = returns[regimes[1:] == 0], returns[regimes[1:] == 1]
    assert np.std(wild) > 4 * np.std(calm)
    # Clustering: absolute returns are autocorrelated.
    magnitude = np.abs(returns) - np.abs(returns).mean()
    assert np.corrcoef(magnitude[:-1], magnitude[1:])[0, 1] > 0.2


def test_costs_grow_with_size_and_impact_follows_the_flow():
    model = CostModel(fee_rate=0.001, slippage_bps=5.0, impact_coefficient=0.1, impact_exponent=0.5)
    costs = model.trading_cost(np.array([1.0, -2.0, 4.0]), np.array([100.0, 100.0, 100.0]))
    np.testing.assert_allclose(costs, [0.15, 0.3, 0.6])
    assert (
        model.fill_price(np.array([1.0]), np.array([100.0]))[0]
        > 100
        > model.fill_price(np.array([-1.0]), np.array([100.0]))[0]
    )
    impact = model.impact(np.array([25.0, -25.0, 0.0]), np.array([100.0, 100.0, 100.0]))
    np.testing.assert_allclose(impact, [0.05, -0.05, 0.0])


def test_negative_cost_parameters_are_rejected():
    with pytest.raises(ValueError, match="fee_rate must be >= 0"):
        CostModel(fee_rate=-0.1)
