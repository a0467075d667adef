"""The heuristic's middle-level sales: any offer at the limit price is accepted, under scml's
stock accounting only."""

import numpy as np

from baselines.heuristic.executor import HeuristicExecutor
from policies.decision.layouts import HISTORY_FEATURES
from policies.decision.snapshot import DaySnapshot, ThreadSnapshot
from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, Q_BUY, Q_SELL
from policies.shield import ACCEPT, COUNTER, StockAccounting, ThreadBounds
from tests.shield_cases import make_day, make_market, make_state

SELL_LIMIT, BUY_LIMIT = 20.0, 12.0


def middle_day(accounting: StockAccounting = StockAccounting.SCML) -> DaySnapshot:
    state = make_state(inventory_input=8.0)
    market = make_market(
        "middle", price_in=11.0, price_out=22.0, production_cost=4.0, storage_cost=0.1
    )
    return make_day(state, market, accounting)


def threads(relative_time: float, sell_price: float, buy_price: float) -> ThreadSnapshot:
    """A consumer offering 2 units today at ``sell_price`` and a supplier at ``buy_price``."""
    k = 2
    return ThreadSnapshot(
        bounds=ThreadBounds.build(
            is_buy=[False, True],
            min_delta=[0, 0],
            max_delta=[10, 10],
            q_max=[30.0, 30.0],
            p_min=[19.0, 10.0],
            p_max=[24.0, 13.0],
        ),
        reference_price=np.array([22.0, 11.0]),
        has_offer=np.ones(k, dtype=bool),
        offer=np.array([[2.0, 0.0, sell_price], [2.0, 0.0, buy_price]]),
        relative_time=np.full(k, relative_time),
        open_need=np.full(k, 5.0),
        committed_at_delivery=np.zeros(k),
        inventory_input=np.full(k, 8.0),
        round_group=np.zeros(k, dtype=np.int64),
        history=np.zeros((k, 0, len(HISTORY_FEATURES)), dtype=np.float32),
        history_valid=np.zeros((k, 0), dtype=bool),
    )


def goal() -> np.ndarray:
    out = np.zeros((N_BUCKETS, 4))
    out[:, Q_SELL], out[:, Q_BUY] = 5.0, 5.0
    out[:, P_SELL], out[:, P_BUY] = SELL_LIMIT, BUY_LIMIT
    return out


def answer(
    executor: HeuristicExecutor,
    relative_time: float,
    sell_price: float,
    buy_price: float = 12.5,
    accounting: StockAccounting = StockAccounting.SCML,
):
    return executor.respond(
        middle_day(accounting),
        goal(),
        threads(relative_time, sell_price, buy_price),
        np.zeros((N_BUCKETS, 2)),
    )


def test_early_sales_at_the_limit_are_accepted():
    # Early in the negotiation the Boulware aspiration is near the agenda's best price (24), far
    # above the limit of 20; a sale at the limit is taken all the same.
    at_limit = answer(HeuristicExecutor(), relative_time=0.1, sell_price=20.0)
    assert at_limit.kind[0] == ACCEPT
    assert at_limit.quantity[0] == 2 and at_limit.unit_price[0] == 20.0
    # Below the limit nothing is accepted, and buying keeps its aspiration (the supplier's 12.5
    # is above the limit of 12 and is countered below the agenda's 13).
    below = answer(HeuristicExecutor(), relative_time=0.1, sell_price=19.5)
    assert below.kind[0] == COUNTER
    assert at_limit.kind[1] == COUNTER and at_limit.unit_price[1] < 12.5


def test_a_world_that_consumes_stock_keeps_the_aspiration_for_sales():
    consumed = StockAccounting.CONSUMED
    assert answer(HeuristicExecutor(), 0.1, 20.0, accounting=consumed).kind[0] == COUNTER
    assert answer(HeuristicExecutor(), 0.1, 24.0, accounting=consumed).kind[0] == ACCEPT
