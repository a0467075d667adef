"""Hand-made shield states (and the day snapshots decisions see) for tests."""

from __future__ import annotations

import numpy as np

from policies.decision.market_view import MarketView
from policies.decision.snapshot import LIVE_OFFER_ROWS, DaySnapshot
from policies.shield import ShieldState, StockAccounting, compute_limits


def make_market(level: str, **overrides: float) -> MarketView:
    """A factory's market view at ``level`` (first, middle or last): no needs, no exogenous
    contracts, a negotiation horizon of 10; ``overrides`` set prices, costs and flows."""
    sides = {"first": (False, True), "middle": (True, True), "last": (True, False)}
    if level not in sides:
        raise ValueError(f"level must be one of {list(sides)}, got {level!r}")
    can_buy, can_sell = sides[level]
    fields = {
        "price_in": 10.0,
        "price_out": 20.0,
        "production_cost": 3.0,
        "needed_supplies": 0.0,
        "needed_sales": 0.0,
        "exogenous_input": 0.0,
        "exogenous_output": 0.0,
        "storage_cost": 0.0,
    } | overrides
    return MarketView(can_buy=can_buy, can_sell=can_sell, negotiation_horizon=10, **fields)


def make_state(
    horizon: int = 10,
    current_step: int = 0,
    n_steps: int = 50,
    n_lines: int = 10,
    inventory_input: float = 0.0,
    inventory_output: float = 0.0,
    balance: float = 10_000.0,
    storage_capacity: float = np.nan,
    expected_exogenous_input: float = 0.0,
    incoming: dict[int, float] | None = None,
    outgoing: dict[int, float] | None = None,
    payables: dict[int, float] | None = None,
) -> ShieldState:
    """One state (batch of 1) with commitments given as {offset: amount}."""

    def daily(values: dict[int, float] | None) -> np.ndarray:
        row = np.zeros((1, horizon + 1))
        for k, v in (values or {}).items():
            row[0, k] = v
        return row

    def one(v: float) -> np.ndarray:
        return np.array([v], dtype=np.float64)

    return ShieldState(
        current_step=one(current_step),
        n_steps=one(n_steps),
        n_lines=one(n_lines),
        inventory_input=one(inventory_input),
        inventory_output=one(inventory_output),
        balance=one(balance),
        storage_capacity=one(storage_capacity),
        expected_exogenous_input=one(expected_exogenous_input),
        incoming=daily(incoming),
        outgoing=daily(outgoing),
        payables=daily(payables),
        receivables=daily(None),
    )


def settled_day_state(agent_awi, day: int, stock_before: float, n_lines: int) -> ShieldState:
    """The one-day state (horizon 0) of a day a live world just settled: the stock at its dawn
    and what was delivered in and out that day (from the AWI's contract books)."""
    supplies = sum(agent_awi._future_supplies.get(day, {}).values())
    sales = sum(agent_awi._future_sales.get(day, {}).values())
    return make_state(
        horizon=0,
        n_lines=n_lines,
        inventory_input=stock_before,
        incoming={0: supplies},
        outgoing={0: sales},
    )


def make_day(
    state: ShieldState,
    market: MarketView,
    stock_accounting: StockAccounting = StockAccounting.SCML,
) -> DaySnapshot:
    """The day a decision sees for one hand-made state: its limits, no live offers, the market's
    output price as the catalog's."""
    return DaySnapshot(
        state=state,
        limits=compute_limits(state),
        market=market,
        catalog_price_out=market.price_out,
        initial_balance=10_000.0,
        n_steps=int(state.n_steps[0]),
        live_offers=np.zeros((LIVE_OFFER_ROWS, state.horizon + 1)),
        stock_accounting=stock_accounting,
    )
