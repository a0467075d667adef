"""Capacity, inventory trajectories, safe quantities and free budget.

All functions take a batched :class:`~policies.shield.state.ShieldState` and return arrays with
the batch on axis 0; nothing loops over days or contracts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from policies.shield.state import ShieldState
from policies.shield.stock import StockAccounting


@functools.cache
def day_offsets(horizon: int) -> np.ndarray:
    """0..H as float64 (cached: the online path is dominated by per-call numpy overhead)."""
    offsets = np.arange(horizon + 1, dtype=np.float64)
    offsets.flags.writeable = False
    return offsets


def days_left(state: ShieldState) -> np.ndarray:
    """T - (t + k): processing days left from day t+k on, shape (B, H+1); <= 0 after the end."""
    return (state.n_steps - state.current_step)[:, None] - day_offsets(state.horizon)


def capacity_vector(state: ShieldState, remaining: np.ndarray | None = None) -> np.ndarray:
    """C_total[k], shape (B, H+1).

    The published storage capacity where there is one, else the dynamic bound
    ``n_lines * max(0, T - (t + k))``: raw material beyond what the lines can still process
    before the world ends is waste.
    """
    if remaining is None:
        remaining = days_left(state)
    dynamic = state.n_lines[:, None] * np.maximum(0.0, remaining)
    static = state.storage_capacity
    if np.isnan(static).all():  # SCML std publishes no capacity: skip the blend
        return dynamic
    return np.where(np.isnan(static)[:, None], dynamic, static[:, None])


def expected_raw_inflow(state: ShieldState) -> np.ndarray:
    """Raw material arriving on each day: signed supplies plus expected exogenous input."""
    if not state.expected_exogenous_input.any():
        return state.incoming
    inflow = state.incoming.copy()
    inflow[:, 1:] += state.expected_exogenous_input[:, None]
    return inflow


def production(state: ShieldState) -> np.ndarray:
    """Units the lines make on day t+k for signed sales: min(n_lines, sales), shape (B, H+1).

    SCML std produces just in time: raw material becomes product only for the day's sales.
    """
    return np.minimum(state.outgoing, state.n_lines[:, None])


def raw_material_trajectory(
    state: ShieldState,
    inflow: np.ndarray | None = None,
    made: np.ndarray | None = None,
    accounting: StockAccounting = StockAccounting.SCML,
) -> np.ndarray:
    """L[k]: raw stock at the end of day t+k, shape (B, H+1).

    What scml 0.8.4 does (world.py, "remaining_in"): a day's deliveries not used by that day's
    production join the stock, and production draws on the stock without ever reducing it. So
    ``L = I + cumsum(max(0, inflow - production))``; it never decreases.
    tests/test_shield_world_model.py pins this against a live world. With ``accounting``
    ``consumed`` (production uses up what it draws, e.g. envs.scml.consumed_stock_world):
    ``L[k] = L[k-1] + inflow[k] - made[k]``, where a day makes at most what it holds.
    """
    if inflow is None:
        inflow = expected_raw_inflow(state)
    if made is None:
        made = production(state)
    if StockAccounting.parse(accounting).consumes_stock:
        return consumed_stock_trajectory(state, inflow, made)
    return stock_from_surplus(state, np.maximum(0.0, inflow - made))


def consumed_stock_trajectory(
    state: ShieldState, inflow: np.ndarray, made: np.ndarray
) -> np.ndarray:
    """Stock at the end of each day when production uses up the stock it draws on."""
    out = np.empty_like(inflow, dtype=np.float64)
    stock = state.inventory_input.astype(np.float64)
    for k in range(inflow.shape[1]):  # a recursion over the H+1 days, vectorized over the batch
        available = stock + inflow[:, k]
        stock = available - np.minimum(made[:, k], available)
        out[:, k] = stock
    return out


def stock_from_surplus(state: ShieldState, surplus: np.ndarray) -> np.ndarray:
    """Stock at the end of each day when each day's unused deliveries (``surplus``) join it."""
    return state.inventory_input[:, None] + np.cumsum(surplus, axis=1)


def sell_room(state: ShieldState, raw: np.ndarray, inflow: np.ndarray) -> np.ndarray:
    """More units the factory can make and ship on day t+k than it has sold, shape (B, H+1).

    The lines make at most ``n_lines`` a day from yesterday's stock plus today's deliveries.
    Negative: signed sales it cannot make (shortfall penalties). Finished-product inventory is
    not counted (just-in-time production leaves none, and scml books it as an output).
    """
    stock_before = np.concatenate([state.inventory_input[:, None], raw[:, :-1]], axis=1)
    return np.minimum(state.n_lines[:, None], stock_before + inflow) - state.outgoing


def safe_sell_quantities(
    room: np.ndarray, surplus: np.ndarray, open_days: np.ndarray
) -> np.ndarray:
    """Q_safe for selling, shape (B, H+1).

    A sale on day d needs room on day d. It touches later days only by using day d's surplus
    deliveries that would otherwise have joined the stock, so it may take more than the room of
    later days only when that surplus is small enough to leave every later day covered.
    """
    # later[d] = max(0, min room over open days after d); inf when there are none.
    later = np.full_like(room, np.inf)
    later[:, :-1] = reverse_cummin(np.where(open_days, room, np.inf))[:, 1:]
    np.maximum(later, 0.0, out=later)
    # A sale of q lowers later days by min(q, surplus): harmless while that fits in their room.
    limit = np.where(surplus <= later, room, np.minimum(room, later))
    np.maximum(limit, 0.0, out=limit)
    limit[~open_days] = 0.0
    return limit


def reverse_cummin(values: np.ndarray) -> np.ndarray:
    """out[..., d] = min over k >= d of values[..., k] (a new, writable array)."""
    return np.ascontiguousarray(np.minimum.accumulate(values[..., ::-1], axis=-1)[..., ::-1])


def safe_quantities(headroom: np.ndarray) -> np.ndarray:
    """Q_safe[d] = max(0, min_{k >= d} headroom[k]): a delivery on day d uses headroom on every later day.

    Days after the world's end carry NaN headroom: they constrain nothing and get Q_safe 0.
    """
    closed = np.isnan(headroom)
    safe = reverse_cummin(np.where(closed, np.inf, headroom))
    np.maximum(safe, 0.0, out=safe)
    safe[closed] = 0.0
    return safe


def free_budget(state: ShieldState, reserve: float = 0.0) -> np.ndarray:
    """B_free = balance - reserve - sum of payables in the horizon, never below zero. Shape (B,)."""
    return np.maximum(0.0, state.balance - reserve - state.payables.sum(axis=1))


@dataclass(frozen=True)
class ShieldLimits:
    """The shield's verdict on one batch of states.

    ``buy_headroom`` is storage capacity minus stock per day (NaN after the world's end) and
    ``safe_buy`` its reverse cumulative minimum (Q_safe); ``sell_room`` is what each day can
    still make and ship, and ``safe_sell`` the largest safe sale per delivery day.
    """

    capacity: np.ndarray
    raw_trajectory: np.ndarray
    sell_room: np.ndarray
    buy_headroom: np.ndarray
    safe_buy: np.ndarray
    safe_sell: np.ndarray
    budget: np.ndarray


def compute_limits(
    state: ShieldState,
    reserve: float = 0.0,
    accounting: StockAccounting = StockAccounting.SCML,
) -> ShieldLimits:
    """All quantity and money limits for a batch of states under the world's stock
    ``accounting`` (see :func:`raw_material_trajectory`)."""
    remaining = days_left(state)
    open_days = remaining > 0  # days after the end of the world take no deliveries
    capacity = capacity_vector(state, remaining)
    inflow = expected_raw_inflow(state)
    made = production(state)
    if StockAccounting.parse(accounting).consumes_stock:
        raw = consumed_stock_trajectory(state, inflow, made)
        room = sell_room(state, raw, inflow)
        safe_sell = safe_sell_from_stock(state, raw, inflow, room, open_days)
    else:
        surplus = np.maximum(0.0, inflow - made)
        raw = stock_from_surplus(state, surplus)
        room = sell_room(state, raw, inflow)
        safe_sell = safe_sell_quantities(room, surplus, open_days)
    headroom = np.where(open_days, capacity - raw, np.nan)
    return ShieldLimits(
        capacity=capacity,
        raw_trajectory=raw,
        sell_room=room,
        buy_headroom=headroom,
        safe_buy=safe_quantities(headroom),
        safe_sell=safe_sell,
        budget=free_budget(state, reserve),
    )


def safe_sell_from_stock(
    state: ShieldState,
    raw: np.ndarray,
    inflow: np.ndarray,
    room: np.ndarray,
    open_days: np.ndarray,
) -> np.ndarray:
    """Q_safe for selling when production consumes stock: a sale on day d draws on the stock
    every later day starts from, so it may not exceed the material later days have beyond their
    own signed sales (nor day d's room)."""
    stock_before = np.concatenate([state.inventory_input[:, None], raw[:, :-1]], axis=1)
    spare = stock_before + inflow - state.outgoing  # material left after each day's signed sales
    later = np.full_like(room, np.inf)
    later[:, :-1] = reverse_cummin(np.where(open_days, spare, np.inf))[:, 1:]
    limit = np.minimum(room, np.maximum(later, 0.0))
    np.maximum(limit, 0.0, out=limit)
    limit[~open_days] = 0.0
    return limit
