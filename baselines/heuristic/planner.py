"""Heuristic L2: daily goals from needs, commitments and prices.

The factory aims for a steady flow of ``production_target * n_lines`` units a day through its
lines: it buys the raw material that signed supplies do not yet cover and sells the product it
will have and has not sold yet, bucket by bucket, only on sides it can negotiate and only inside
the negotiation horizon. Limit prices keep a margin over the production cost.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from baselines.heuristic.market_view import MarketView
from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, Q_BUY, Q_SELL, bucket_of
from policies.shield import (
    ShieldLimits,
    ShieldState,
    product_trajectory,
    raw_material_trajectory,
    reverse_cummin,
)


def plan_goal(
    state: ShieldState,
    limits: ShieldLimits,
    market: MarketView,
    production_target: float = 0.8,
    price_slack: float = 0.1,
    min_margin: float = 0.05,
) -> np.ndarray:
    """Physical goal of shape (4, 4) for one state (batch of one)."""
    horizon = state.horizon
    n_lines = float(state.n_lines[0])
    offsets = np.arange(horizon + 1)
    days_left = float(state.n_steps[0] - state.current_step[0])
    negotiable = (offsets <= market.negotiation_horizon) & (offsets < days_left)
    buckets = bucket_of(offsets)
    goal = np.zeros((N_BUCKETS, 4))

    flow = production_target * n_lines
    if not market.can_buy:
        flow = market.exogenous_input or flow  # first level: what the exogenous supply brings
    if not market.can_sell:
        flow = market.exogenous_output or flow  # last level: what exogenous demand takes

    if market.can_buy:
        # Raw material still missing for the target flow, day by day (cumulative shortfall).
        # Sellers' products are only worth buying while the lines can still process them.
        want = np.where(offsets < days_left - 1, flow, 0.0)
        have = state.inventory_input[0] + np.cumsum(state.incoming[0])
        short = np.maximum.accumulate(np.maximum(0.0, np.cumsum(want) - have))
        daily_buy = np.diff(short, prepend=0.0)
        daily_buy[0] = max(daily_buy[0], market.needed_supplies)
        daily_buy = np.where(negotiable, np.minimum(daily_buy, limits.safe_buy[0]), 0.0)
        goal[:, Q_BUY] = np.bincount(buckets, weights=daily_buy, minlength=N_BUCKETS)

    if market.can_sell:
        # Product we will hold and have not sold, if today's purchase plan comes through: the
        # shield's own trajectories on the state with the planned purchases added.
        planned = dataclasses.replace(
            state,
            incoming=state.incoming + spread_over_days(goal[:, Q_BUY], buckets, negotiable)[None],
        )
        unsold = product_trajectory(planned, raw_material_trajectory(planned))[0]
        sellable = np.maximum(0.0, reverse_cummin(unsold))
        daily_sell = np.diff(sellable, prepend=0.0)
        daily_sell[0] = max(daily_sell[0], market.needed_sales)
        daily_sell = np.where(negotiable, np.maximum(daily_sell, 0.0), 0.0)
        goal[:, Q_SELL] = np.bincount(buckets, weights=daily_sell, minlength=N_BUCKETS)

    # Limit prices: pay up to slack above the trading price and sell down to slack below, but
    # never so that a unit bought and sold at the limits loses money.
    margin = market.production_cost + min_margin * market.price_out
    buy_limit = market.price_in * (1.0 + price_slack)
    sell_limit = market.price_out * (1.0 - price_slack)
    if market.can_buy and market.can_sell:
        buy_limit = min(buy_limit, market.price_out - margin)
        sell_limit = max(sell_limit, market.price_in + margin)
    goal[:, P_BUY] = buy_limit
    goal[:, P_SELL] = sell_limit
    return goal


def spread_over_days(per_bucket: np.ndarray, buckets: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Spread bucket totals evenly over the bucket's active days (a daily series)."""
    counts = np.bincount(buckets, weights=active.astype(np.float64), minlength=N_BUCKETS)
    per_day = np.where(counts > 0, per_bucket / np.maximum(counts, 1.0), 0.0)
    return np.where(active, per_day[buckets], 0.0)
