"""The vectorized market core: limits, costs, impact, messages, rewards."""

import numpy as np
import pytest

from envs.market.costs import CostModel
from envs.market.indicators import FEATURE_NAMES
from envs.trading.core import (
    MESSAGE_FEATURES,
    N_FEATURES,
    PORTFOLIO_FEATURES,
    MarketCore,
    TradingConfig,
)

MSG0 = len(FEATURE_NAMES) + len(PORTFOLIO_FEATURES)


def flat_core(types=("trend_follower", "mean_reversion"), costs=None, b=2, t=10, **config):
    cfg = TradingConfig(types=types, costs=costs or CostModel(), **config)
    return MarketCore(cfg, np.zeros((b, t)), np.full((b, t), 100.0), np.full(b, 100.0))


def test_shapes_and_bounds():
    core = flat_core(b=3)
    obs = core.reset()
    assert obs.shape == (3, 2, N_FEATURES) and obs.dtype == np.float32
    obs, reward, _ = core.step(np.ones((3, 2)))
    assert reward.shape == (3, 2) and np.isfinite(obs).all()


def test_position_and_leverage_limits_hold():
    # Limits apply at execution; without impact or returns the price stays where it was.
    core = flat_core(
        max_trade=40.0,
        max_position=50.0,
        max_leverage=0.3,
        initial_cash=10_000.0,
        costs=CostModel(impact_coefficient=0.0),
    )
    for _ in range(5):
        core.step(np.ones((2, 2)))
    # 0.3 x ~10,000 equity / ~100 price allows about 30 units, below the position limit.
    assert np.all(np.abs(core.position * core.price[:, None]) <= 0.3 * core.equity + 1e-6)
    assert np.all(np.abs(core.position) <= 50.0)


def test_fees_and_slippage_are_paid_without_price_moves():
    costs = CostModel(fee_rate=0.001, slippage_bps=10.0, impact_coefficient=0.0)
    core = flat_core(costs=costs)
    core.step(np.array([[1.0, -1.0], [0.0, 0.0]]))
    # 10 units at 100: 1.0 fee + 1.0 slippage each, price unchanged.
    np.testing.assert_allclose(core.equity[0], [10_000 - 2.0, 10_000 - 2.0])
    np.testing.assert_allclose(core.equity[1], [10_000, 10_000])


def test_every_order_pays_the_fixed_cost_and_a_hold_pays_nothing():
    costs = CostModel(fee_rate=0.0, slippage_bps=0.0, impact_coefficient=0.0, fixed_cost=7.0)
    core = flat_core(costs=costs)
    core.step(np.array([[1.0, 0.0], [0.05, -1.0]]))
    # One order per nonzero trade, whatever its size (half a unit or ten); no order, no charge.
    np.testing.assert_allclose(core.equity, [[10_000 - 7.0, 10_000], [10_000 - 7.0, 10_000 - 7.0]])
    # A trade the limits cut to nothing is not an order either.
    capped = flat_core(costs=costs, initial_position=50.0, max_position=50.0)
    capped.step(np.array([[1.0, 0.0], [0.0, 0.0]]))
    np.testing.assert_allclose(capped.equity[0], capped.equity[1])
    with pytest.raises(ValueError, match="fixed_cost"):
        CostModel(fixed_cost=-1.0)


def test_net_flow_moves_the_next_price_and_opposite_flows_cancel():
    core = flat_core(costs=CostModel(impact_coefficient=0.1, impact_exponent=1.0))
    core.step(np.array([[1.0, 1.0], [1.0, -1.0]]))
    assert core.price[0] == pytest.approx(100.0 * (1 + 0.1 * 20 / 100))  # both bought 10
    assert core.price[1] == pytest.approx(100.0)  # buy and sell cancel
    assert core.reference[0] == pytest.approx(100.0)


def test_traders_in_the_same_bar_pay_for_each_others_flow():
    # Temporary impact: the clearing price gives way to the bar's net flow and does not persist.
    costs = CostModel(0.0, 0.0, impact_coefficient=0.0, impact_exponent=1.0, temporary_impact=0.5)
    alone = flat_core(costs=costs, b=1, max_trade=10.0)
    alone.step(np.array([[-1.0, 0.0]]))
    together = flat_core(costs=costs, b=1, max_trade=10.0)
    together.step(np.array([[-1.0, -1.0]]))
    # 10 units sold into a volume of 100: the price gives 5%; 20 units: 10% for both sellers.
    assert alone.cash[0, 0] - 10_000.0 == pytest.approx(10 * 100.0 * 0.95)
    assert together.cash[0, 0] - 10_000.0 == pytest.approx(10 * 100.0 * 0.90)
    assert together.price[0] == pytest.approx(100.0)  # nothing lasts: no permanent impact


def test_initial_position_and_the_deadline_liquidation():
    costs = CostModel(0.0, 0.0, impact_coefficient=0.0)
    core = flat_core(costs=costs, b=1, t=5, initial_position=30.0, liquidate_at_end=True)
    assert core.equity[0] == pytest.approx([10_000.0 + 3_000.0] * 2)
    obs = core.observe()
    assert obs[0, 0, len(FEATURE_NAMES) + PORTFOLIO_FEATURES.index("position_units")] == 0.6
    assert obs[0, 0, len(FEATURE_NAMES) + PORTFOLIO_FEATURES.index("time_left")] == 0.04
    while not core.done:
        core.step(np.zeros((1, 2)))  # nobody sells until the deadline sells it all
    np.testing.assert_allclose(core.position, 0.0)
    np.testing.assert_allclose(core.cash, 13_000.0)
    with pytest.raises(ValueError, match="initial_position"):
        TradingConfig(initial_position=60.0, max_position=50.0)


def test_messages_report_the_other_traders_real_positions():
    core = flat_core(
        types=("trend_follower", "mean_reversion", "arbitrageur"),
        costs=CostModel(impact_coefficient=0.0),
    )
    obs, _, _ = core.step(np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]]))
    others_value = obs[0, :, MSG0 + MESSAGE_FEATURES.index("others_position_value")]
    # Agent 1 sees the mean of +10 and -10 units (0); agent 0 sees (0 - 10) / 2 = -5 units.
    np.testing.assert_allclose(others_value * 10_000 / 100, [-5.0, 0.0, 5.0], atol=1e-4)
    # Without shared messages nobody sees the others, whatever they did.
    hidden = flat_core(
        types=("trend_follower", "mean_reversion", "arbitrageur"),
        costs=CostModel(impact_coefficient=0.0),
        share_messages=False,
    )
    obs, _, _ = hidden.step(np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_array_equal(obs[:, :, MSG0 : MSG0 + len(MESSAGE_FEATURES)], 0.0)


def test_market_maker_pays_for_inventory_and_hedger_for_variance():
    core = MarketCore(
        TradingConfig(types=("trend_follower", "market_maker", "hedger"), costs=CostModel(0, 0, 0)),
        np.full((1, 5), 0.01),
        np.full((1, 5), 100.0),
        np.array([100.0]),
    )
    _, reward, parts = core.step(np.ones((1, 3)))
    pnl = parts["pnl"][0]
    assert pnl[0] == pytest.approx(pnl[1]) == pytest.approx(pnl[2])
    assert reward[0, 0] == pytest.approx(pnl[0])
    assert reward[0, 1] < reward[0, 0] and reward[0, 2] < reward[0, 0]


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="unknown trader type"):
        TradingConfig(types=("whale",))
    with pytest.raises(ValueError, match="max_leverage must be > 0"):
        TradingConfig(max_leverage=0)
    core = flat_core()
    with pytest.raises(ValueError, match="actions must have shape"):
        core.step(np.zeros(3))


def test_observations_handed_out_are_not_changed_by_later_steps():
    core = flat_core()
    first = core.reset()
    kept = first.copy()
    core.step(np.ones((2, 2)))
    np.testing.assert_array_equal(first, kept)
