"""The heuristic's middle-level sell limit once its never-consumed raw stock is built up."""

import pytest

from baselines.heuristic.executor import HeuristicExecutor
from baselines.heuristic.params import HeuristicParams
from baselines.heuristic.planner import plan_goal
from policies.decision.market_view import MarketView
from policies.l2_goal import P_SELL
from policies.shield import StockAccounting, compute_limits
from tests.shield_cases import make_day, make_market, make_state

PRICE_IN, COST = 15.0, 4.0
ACCOUNTING = {False: StockAccounting.SCML, True: StockAccounting.CONSUMED}  # by seen falling


def middle_level(price_out: float) -> MarketView:
    return make_market(
        "middle", price_in=PRICE_IN, price_out=price_out, production_cost=COST, storage_cost=0.1
    )


def sell_limit(price_out: float, stock: float, **kwargs) -> float:
    # 10 lines, so the default stock target is 8 units
    state = make_state(inventory_input=stock, n_steps=100, current_step=30)
    goal = plan_goal(state, compute_limits(state), middle_level(price_out), **kwargs)
    return float(goal[0, P_SELL])


def test_a_built_up_stock_sells_below_the_input_price_when_the_market_falls():
    # The market fell to 17: input price plus margin (19.85) would refuse every buyer.
    assert sell_limit(17.0, stock=12.0) == 13.0  # floor(17 x 0.8), a whole price


def test_production_cost_stays_the_floor():
    assert sell_limit(5.0, stock=12.0) == pytest.approx(COST + 0.05 * 5.0)


@pytest.mark.parametrize(
    "stock, kwargs",
    [
        (3.0, {}),
        (12.0, {"accounting": StockAccounting.CONSUMED}),
        (12.0, {"params": HeuristicParams(stock_target=20.0)}),
    ],
    ids=["stock below target", "world consumes stock", "stock below a set target"],
)
def test_sales_that_still_need_inputs_keep_the_input_price_in_the_limit(stock, kwargs):
    assert sell_limit(17.0, stock=stock, **kwargs) == pytest.approx(PRICE_IN + COST + 0.85)


@pytest.mark.parametrize("seen_falling, limit", [(False, 13.0), (True, PRICE_IN + COST + 0.85)])
def test_the_executor_prices_from_stock_only_while_the_stock_has_never_fallen(seen_falling, limit):
    # A default agent in a world that consumes stock sees it fall: the stock is not free there.
    state = make_state(inventory_input=12.0, n_steps=100, current_step=30)
    day = make_day(state, middle_level(17.0), ACCOUNTING[seen_falling])
    assert HeuristicExecutor().plan(day)[0, P_SELL] == pytest.approx(limit)
