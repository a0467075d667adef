"""The heuristic's first-level sell limit: storage an unsold unit pays, whole prices."""

import pytest

from baselines.heuristic.planner import plan_goal
from policies.decision.market_view import MarketView
from policies.l2_goal import P_SELL
from policies.shield import compute_limits
from tests.shield_cases import make_market, make_state


def first_level(price_out: float, storage_cost: float) -> MarketView:
    return make_market("first", price_out=price_out, exogenous_input=5.0, storage_cost=storage_cost)


def sell_limit(price_out: float, storage_cost: float, day: int, **kwargs) -> float:
    state = make_state(current_step=day, n_steps=200, inventory_input=300.0)
    goal = plan_goal(state, compute_limits(state), first_level(price_out, storage_cost), **kwargs)
    return float(goal[0, P_SELL])


def test_a_collapsed_first_level_market_is_sold_into_while_storage_outweighs_the_loss():
    # price 1 under a production cost of 3, 150 days of 0.4 storage left per unsold unit
    assert sell_limit(1.0, 0.4, day=50) <= 1.0


def test_without_days_left_to_store_the_floor_is_the_production_cost_again():
    # the last day: cost 3 + margin 0.05 x 1 - one day of storage 0.4
    assert sell_limit(1.0, 0.4, day=199) == pytest.approx(2.65)
    assert sell_limit(1.0, 0.0, day=50) == pytest.approx(3.05)  # no storage, nothing to save


@pytest.mark.parametrize(("price_out", "limit"), [(8.8, 7.0), (16.0, 12.0)])
def test_the_limit_is_a_whole_price(price_out, limit):
    """Buyers bid the agenda's lowest whole price (about 0.9 x the trading price rounded
    down): 7 at a trading price of 8.8, which a limit of 0.8 x 8.8 = 7.04 refused."""
    assert sell_limit(price_out, 0.0, day=50) == limit
