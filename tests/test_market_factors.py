"""Factors and rolling statistics: hand-made cases, causality, agreement with naive loops."""

import numpy as np
import pytest

from envs.market.bars import Bars
from envs.market.factors import FactorConfig, cost_line, factor_scores, net_flow, predicted_return
from envs.market.generators import regime_switching_bars
from envs.market.rolling import (
    rolling_corr,
    rolling_max_drawdown,
    rolling_sharpe,
    rolling_zscore,
    window_corr,
)
from tests.market_cases import changed_from


def bars_of(close, high=None, low=None, volume=None) -> Bars:
    close = np.asarray(close, dtype=float)
    n = len(close)
    return Bars(
        np.arange(n),
        close,
        np.asarray(high if high is not None else close + 1.0, float),
        np.asarray(low if low is not None else close - 1.0, float),
        close,
        np.asarray(volume if volume is not None else np.full(n, 100.0), float),
    )


def test_net_flow_is_signed_by_where_the_bar_closed():
    bars = bars_of(
        [10.0, 10.0, 10.0], high=[10.0, 12.0, 11.0], low=[8.0, 10.0, 9.0], volume=[50, 70, 90]
    )
    np.testing.assert_allclose(net_flow(bars), [50.0, -70.0, 0.0])  # at the high, at the low, mid


def test_cost_line_is_the_flow_weighted_price_and_carries_over_flat_windows():
    close = np.array([10.0, 12.0, 11.0, 11.0])
    flow = np.array([100.0, 100.0, 0.0, 0.0])
    line = cost_line(close, flow, window=2)
    assert line[0] == pytest.approx(10.0)
    assert line[1] == pytest.approx((10 * 100 + 12 * 100) / 200)
    assert line[2] == pytest.approx(12.0)  # window [12, 11]: only the 12 bar had flow
    assert line[3] == pytest.approx(12.0)  # no flow in the window: the last cost carries on


def test_factors_never_use_later_bars():
    bars, _ = regime_switching_bars(600, seed=3)
    scores = factor_scores(bars)
    changed = changed_from(bars, 400, 1.7)
    np.testing.assert_array_equal(factor_scores(changed)[:400], scores[:400])
    assert not np.array_equal(factor_scores(changed)[400:], scores[400:])


def test_factor_scores_are_standardized():
    bars, _ = regime_switching_bars(3000, seed=0)
    z = factor_scores(bars)[200:]
    assert np.all(np.abs(z.mean(axis=0)) < 0.5) and np.all(
        (z.std(axis=0) > 0.5) & (z.std(axis=0) < 2.0)
    )
    with pytest.raises(ValueError, match="cost_window"):
        FactorConfig(cost_window=1)


def test_predicted_return_gates_factors_by_threshold():
    scores = np.array([[2.0, -0.3, 1.0]])
    got = predicted_return(
        scores, betas=np.array([0.5, 1.0, 0.2]), thresholds=np.array([1.0, 0.2, 1.5]), scale=0.01
    )
    assert got[0] == pytest.approx(0.01 * (0.5 * 2.0 + 1.0 * -0.3))


def test_rolling_statistics_match_naive_windows():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=80), rng.normal(size=80)
    w = 10
    for t in (w - 1, 40, 79):
        win_a, win_b = a[t - w + 1 : t + 1], b[t - w + 1 : t + 1]
        assert rolling_zscore(a, w)[t] == pytest.approx((a[t] - win_a.mean()) / win_a.std())
        assert rolling_sharpe(a, w)[t] == pytest.approx(win_a.mean() / win_a.std() * np.sqrt(252))
        assert rolling_corr(a, b, w)[t] == pytest.approx(np.corrcoef(win_a, win_b)[0, 1])
        assert window_corr(win_a, win_b) == pytest.approx(np.corrcoef(win_a, win_b)[0, 1])
        equity = np.concatenate([[0.0], np.cumsum(win_a)])
        assert rolling_max_drawdown(a, w)[t] == pytest.approx(
            np.max(np.maximum.accumulate(equity) - equity)
        )
    assert window_corr(np.ones(5), a[:5]) == 0.0  # constant window: no correlation
