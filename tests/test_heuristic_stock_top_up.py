"""The heuristic's stock top-up under scml's accounting, where only deliveries beyond a day's
production join the stock and the stock is never used up (scml 0.8.4's ``remaining_in``)."""

import numpy as np
import pytest

from baselines.heuristic.executor import HeuristicExecutor
from baselines.heuristic.params import HeuristicParams
from baselines.heuristic.planner import plan_goal
from policies.decision.snapshot import DaySnapshot
from policies.l2_goal import Q_BUY
from policies.shield import StockAccounting, compute_limits
from tests.shield_cases import make_day, make_market, make_state


def buys_by_bucket(level: str, stock: float, sales: dict[int, float], **kwargs) -> np.ndarray:
    """Units the plan buys per delivery bucket (offsets 0-2, 3-7, 8-14, 15+); 10 lines."""
    market_fields = kwargs.pop("market", {})
    state = make_state(inventory_input=stock, outgoing=sales, n_steps=100, current_step=30)
    goal = plan_goal(state, compute_limits(state), make_market(level, **market_fields), **kwargs)
    return goal[:, Q_BUY]


def test_a_top_up_buys_the_days_production_as_well():
    # A middle factory with 4 of its 8 units of stock target, selling 8 today and every day:
    # production takes today's deliveries first, so 4 more than the production lacks (8 in all)
    # would leave the stock at 4. It takes 8 + 4.
    assert buys_by_bucket("middle", 4.0, {0: 8.0})[0] == pytest.approx(12.0)


def test_the_top_up_waits_for_a_day_without_production():
    # The last level holds 9 units, its target is its 10 lines, and days 0-2 make 10 each: each
    # day buys the unit its stock lacks, and the 10th stock unit comes on day 3, where it costs
    # one unit, not eleven.
    buys = buys_by_bucket("last", 9.0, {0: 10.0, 1: 10.0, 2: 10.0})
    np.testing.assert_allclose(buys, [3.0, 1.0, 0.0, 0.0])


def test_with_a_stock_target_below_its_lines_the_last_level_buys_only_what_its_stock_lacks():
    params = HeuristicParams(stock_target=8.0)
    buys = buys_by_bucket("last", 9.0, {0: 10.0, 1: 10.0, 2: 10.0}, params=params)
    np.testing.assert_allclose(buys, [3.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "world, bought",
    [({}, 0.0), ({"accounting": StockAccounting.CONSUMED}, 8.0)],
    ids=["scml", "consumed"],
)
def test_needed_supplies_beyond_what_the_lines_can_use_are_bought_only_if_stock_is_used_up(
    world, bought
):
    # Demand of 18 today on 10 lines; scml says 8 units are needed beyond the stock of 10.
    buys = buys_by_bucket("last", 10.0, {0: 18.0}, market={"needed_supplies": 8.0}, **world)
    # Under scml's accounting the 10 units in stock make today's 10 (and every later day's).
    # Where stock is used up, today makes 10 from it and the 8 units refill it.
    assert buys[0] == pytest.approx(bought)


def last_level_day(seen_falling: bool) -> DaySnapshot:
    state = make_state(
        inventory_input=9.0, outgoing={0: 10.0, 1: 10.0, 2: 10.0}, n_steps=100, current_step=30
    )
    accounting = StockAccounting.CONSUMED if seen_falling else StockAccounting.SCML
    return make_day(state, make_market("last"), accounting)


@pytest.mark.parametrize("seen_falling, later", [(False, 1.0), (True, 0.0)])
def test_the_executor_fills_the_lines_stock_only_while_the_stock_has_never_fallen(
    seen_falling, later
):
    buys = HeuristicExecutor().plan(last_level_day(seen_falling))[:, Q_BUY]
    assert buys[1] == pytest.approx(later)
