"""Allocation baselines and performance metrics on hand-made series."""

import numpy as np
import pytest

from baselines.allocation_baselines import (
    best_single_advisor,
    buy_and_hold,
    equal_weights,
    majority_vote,
    single_advisor,
)
from envs.allocation.advisors import BUY, HOLD, SELL
from envs.allocation.series import AllocationSeries
from envs.market.metrics import bar_pnl, max_drawdown, performance


def series_from_choices(choices, returns):
    choices = np.asarray(choices)
    votes = np.zeros(choices.shape + (4,))
    for index in np.ndindex(choices.shape):
        votes[index + (choices[index],)] = 1.0
    votes[..., 3] = 1.0
    return AllocationSeries(
        votes,
        np.asarray(returns, dtype=float),
        np.zeros((len(returns), 8)),
        tuple("abc"[: choices.shape[1]]),
    )


def test_majority_and_equal_weights():
    s = series_from_choices(
        [[BUY, BUY, SELL], [SELL, HOLD, BUY], [SELL, SELL, HOLD]], [0.01, 0.02, -0.01]
    )
    np.testing.assert_array_equal(majority_vote(s), [1.0, 0.0, -1.0])
    np.testing.assert_array_equal(equal_weights(s), [1.0, 0.0, -1.0])
    np.testing.assert_array_equal(buy_and_hold(s), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(single_advisor(s, 2), [-1.0, 1.0, 0.0])


def test_best_single_advisor_is_chosen_on_training_data():
    returns = [0.01, -0.02, 0.03, -0.01]
    # Advisor 1 always calls the direction right; advisor 0 always wrong.
    right = [BUY if r > 0 else SELL for r in returns]
    wrong = [SELL if r > 0 else BUY for r in returns]
    s = series_from_choices(np.stack([wrong, right], axis=1), returns)
    assert best_single_advisor(s, cost=0.0) == 1


def test_metrics_on_a_known_path():
    positions = np.array([1.0, 1.0, -1.0, 0.0])
    returns = np.array([0.02, -0.01, -0.03, 0.05])
    np.testing.assert_allclose(bar_pnl(positions, returns, 0.001), [0.019, -0.01, 0.028, -0.001])
    assert max_drawdown(np.array([0.02, -0.01, -0.02, 0.05])) == pytest.approx(0.03)
    result = performance(positions, returns, 0.001)
    assert result["turnover"] == 4.0 and result["return_after_costs"] == pytest.approx(0.036)
    assert result["sharpe"] > 0
