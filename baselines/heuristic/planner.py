"""Heuristic L2: daily goals from needs, commitments and prices.

How SCML std (scml 0.8.4) moves goods, which the plan follows:
- production is just in time: raw material becomes product only for the day's sales, at most
  ``n_lines`` units a day;
- deliveries not used by that day's production join the raw stock, and production draws on the
  stock without ever reducing it (see policies.shield.stock).
(Once a factory has seen its stock fall, the world consumes stock: the rules that lean on scml's
never-falling stock are off, see :func:`plan_goal`.)
So the plan is sales-led: sell about ``production_target * n_lines`` units a day, buy what each
day's production lacks, and once build the stock up to ``stock_target`` units, after which the
stock covers production. A first-level factory sells what its exogenous supply and stock make; a
last-level one buys for its exogenous demand. Only negotiable sides, days inside the negotiation
horizon and the world. Limit prices keep a margin over cost.
"""

from __future__ import annotations

import numpy as np

from baselines.heuristic.params import HeuristicParams
from policies.decision.market_view import MarketView
from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, Q_BUY, Q_SELL, bucket_of
from policies.shield import ShieldLimits, ShieldState, StockAccounting
from policies.shield.limits import expected_raw_inflow

DEFAULT_PARAMS = HeuristicParams()


def plan_goal(
    state: ShieldState,
    limits: ShieldLimits,
    market: MarketView,
    params: HeuristicParams = DEFAULT_PARAMS,
    accounting: StockAccounting = StockAccounting.SCML,
) -> np.ndarray:
    """Physical goal of shape (4, 4) for one state (batch of one).

    ``accounting``: the stock accounting the factory has seen. Under scml's (stock never falls)
    a last-level factory's stock target is ``n_lines`` (a one-time purchase of capacity), a
    top-up waits for a day where it wastes little production, needed supplies are capped by what
    the lines can use beyond the stock, and a middle factory whose stock has reached its target
    prices sales as the first level does (production cost is the floor). Where the world
    consumes stock those rules are off. A first-level factory's sell floor falls by the storage a
    unit sold now saves until the end, and its market-relative sell limit is a whole price.
    """
    position = market.position
    production_target = params.production_target.at(position)
    price_slack = params.price_slack.at(position)
    min_margin, stock_target = params.min_margin.at(position), params.stock_target
    offsets = np.arange(state.horizon + 1)
    n_lines = float(state.n_lines[0])
    days_left = float(state.n_steps[0] - state.current_step[0])
    negotiable = (offsets <= market.negotiation_horizon) & (offsets < days_left)
    signed_sales = state.outgoing[0]
    inflow = expected_raw_inflow(state)[0]
    flow = production_target * n_lines
    scml_stock = not StockAccounting.parse(accounting).consumes_stock
    if stock_target is None:
        # Under scml's accounting a stock of n_lines units makes a full day's product on every
        # later day; short of it, each unit of exogenous demand above the stock is bought again
        # every day (experiments/reports/scml/heuristic/heuristic_stock_top_up.md).
        full = scml_stock and not market.can_sell
        stock_target = n_lines if full else flow

    # Sales wanted per day (on top of what is signed).
    if market.can_sell:
        target = flow if market.can_buy else n_lines
        extra_sales = np.where(negotiable, np.clip(target - signed_sales, 0.0, None), 0.0)
        extra_sales[0] = max(extra_sales[0], market.needed_sales)
        extra_sales = np.minimum(extra_sales, np.maximum(0.0, n_lines - signed_sales))
    else:
        # Last level: expected exogenous demand of the next days (today's is signed already).
        extra_sales = np.where(
            negotiable & (offsets > 0) & (offsets <= 2), market.exogenous_output, 0.0
        )

    # Walk the days: buy what production lacks, top the stock up once, and (first level) sell
    # only what supply and stock can make.
    daily_buy = np.zeros(state.horizon + 1)
    stock = float(state.inventory_input[0])
    topped_up = not market.can_buy
    for k in np.flatnonzero(offsets < days_left):
        makeable = min(n_lines, stock + inflow[k])
        if not market.can_buy:
            extra_sales[k] = min(extra_sales[k], max(0.0, makeable - signed_sales[k]))
        made = min(n_lines, signed_sales[k] + extra_sales[k])
        if market.can_buy and negotiable[k]:
            buy = max(0.0, made - (stock + inflow[k]))
            if not topped_up:
                buy, topped_up = _top_up(buy, stock, stock_target, made - inflow[k], scml_stock)
            if k == 0:
                needed = market.needed_supplies
                if scml_stock:
                    # scml counts the stock out of what is needed only once, yet it serves every
                    # day: past what the lines can make beyond stock and deliveries, a unit
                    # bought only displaces stock.
                    needed = min(needed, max(0.0, n_lines - stock - inflow[k]))
                buy = max(buy, needed)
            daily_buy[k] = min(buy, limits.safe_buy[0, k])
        stock += max(0.0, inflow[k] + daily_buy[k] - made)

    buckets = bucket_of(offsets)
    goal = np.zeros((N_BUCKETS, 4))
    goal[:, Q_BUY] = np.bincount(buckets, weights=daily_buy, minlength=N_BUCKETS)
    if market.can_sell:
        goal[:, Q_SELL] = np.bincount(buckets, weights=extra_sales, minlength=N_BUCKETS)

    # Limit prices: pay up to slack above the trading price and sell down to slack below, but
    # never so that a unit bought and sold at the limits loses money.
    margin = market.production_cost + min_margin * market.price_out
    buy_limit = market.price_in * (1.0 + price_slack)
    sell_limit = market.price_out * (1.0 - price_slack)
    stock_made = scml_stock and float(state.inventory_input[0]) >= max(stock_target, 1.0)
    if market.can_buy and market.can_sell:
        buy_limit = min(buy_limit, market.price_out - margin)
        if stock_made:
            # scml never takes the raw stock out again, so a unit made from it costs only
            # production: a limit of input price plus margin refuses every offer once the market
            # falls below it (experiments/reports/scml/heuristic/middle_level_stock_pricing.md).
            sell_limit = max(margin, _market_sell_limit(market.price_out, price_slack))
        else:
            sell_limit = max(sell_limit, market.price_in + margin)
    elif not market.can_buy:
        # First level: its supply arrives (and is paid for) whether it sells or not, and unsold
        # stock is worth nothing at the end, so any price that covers production is a gain.
        # Worse: a unit of supply not made into product stays in stock and pays storage every
        # remaining day (scml never takes it out again), so selling below the production cost
        # still pays while that storage is larger (long worlds where the first level's price
        # collapses: experiments/reports/scml/evaluation/balanced_200_days_storage_floor.md).
        # Offers are whole prices and buyers there bid the agenda's lowest, about 0.9 x the
        # trading price rounded down, which a fractional limit can refuse all day long
        # (balanced_200_days_whole_prices.md beside it).
        floor = margin - market.storage_cost * days_left
        sell_limit = max(floor, _market_sell_limit(market.price_out, price_slack))
    goal[:, P_BUY] = buy_limit
    goal[:, P_SELL] = sell_limit
    return goal


def _market_sell_limit(price_out: float, price_slack: float) -> float:
    """The lowest sale price the trading price allows where the unit's input is already paid
    for, rounded down to a whole price (offers are whole prices)."""
    return float(np.floor(price_out * (1.0 - 2.0 * price_slack)))


def _top_up(
    buy: float, stock: float, stock_target: float, from_deliveries: float, scml_stock: bool
) -> tuple[float, bool]:
    """A day's purchase with the stock top-up, and whether the top-up is done.

    Where production uses up stock (``scml_stock`` False), buying the gap tops it up. Under
    scml's accounting only the deliveries beyond the day's production join the stock
    (``remaining_in`` in scml's world.py):
    the top-up then buys the day's production as well, wasting the production the stock would
    have covered. It waits for a day where that waste is at most the gap (a top-up at most twice
    the price of the stock it adds): a last-level factory whose stock stopped at 9 of its 10
    lines otherwise bought a unit on every day its demand reached 10.
    """
    gap = max(0.0, stock_target - stock)
    if not scml_stock:
        return buy + gap, True
    if gap <= 0.0:
        return buy, True
    wasted = min(stock, max(0.0, from_deliveries))
    if wasted > gap:
        return buy, False
    return max(buy, max(0.0, from_deliveries) + gap), True
