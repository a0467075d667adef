"""L4 dynamic reservation: threads draw on one shared Q_safe / B_free in weight order."""

from __future__ import annotations

import dataclasses

import numpy as np

from policies.shield.clip import Offers, clip_action
from policies.shield.limits import compute_limits
from policies.shield.state import ShieldState
from policies.shield.threads import ThreadBounds


def with_deal(
    state: ShieldState, buying: bool, quantity: float, unit_price: float, delta: int
) -> ShieldState:
    """The (single) state as if a deal of ``quantity`` at ``unit_price`` on day t+delta were signed."""
    books = "incoming" if buying else "outgoing"
    money = "payables" if buying else "receivables"
    quantities, amounts = getattr(state, books).copy(), getattr(state, money).copy()
    quantities[0, delta] += quantity
    amounts[0, delta] += quantity * unit_price
    return dataclasses.replace(state, **{books: quantities, money: amounts})


def reserve(
    quantity: np.ndarray,
    unit_price: np.ndarray,
    delta: np.ndarray,
    weights: np.ndarray,
    state: ShieldState,
    threads: ThreadBounds,
    reserve_money: float = 0.0,
    min_quantity: float = 1.0,
) -> Offers:
    """Clip the threads' offers one by one, heaviest weight first, against what is left.

    Each grant is booked into the state before the next thread is clipped, and the limits are
    recomputed from it, so what all threads get together never breaks any day's Q_safe or the
    budget, however many threads there are. One state only (online use). Returns offers in the
    input order; quantity 0 where nothing safe was left.
    """
    if state.batch_size != 1:
        raise ValueError(f"reserve() takes one state, got a batch of {state.batch_size}")
    if len(threads) and np.any(threads.state_index != 0):
        raise ValueError("reserve() takes the threads of one state (state_index 0)")
    order = np.argsort(-np.asarray(weights, dtype=np.float64), kind="stable")
    quantity = np.asarray(quantity, dtype=np.float64)
    out_q = np.zeros(len(threads))
    out_p = np.asarray(unit_price, dtype=np.float64).copy()
    out_d = np.asarray(delta, dtype=np.int64).copy()
    limits = compute_limits(state, reserve_money)
    for i in order:
        if not quantity[i] >= min_quantity:
            continue
        one = threads.select(np.array([i]))
        clipped = clip_action(
            quantity[i : i + 1], out_p[i : i + 1], out_d[i : i + 1], limits, one, min_quantity
        )
        q, p, d = float(clipped.quantity[0]), float(clipped.unit_price[0]), int(clipped.delta[0])
        out_q[i], out_p[i], out_d[i] = q, p, d
        if q > 0:
            state = with_deal(state, bool(threads.is_buy[i]), q, p, d)
            limits = compute_limits(state, reserve_money)
    return Offers(quantity=out_q, unit_price=out_p, delta=out_d)
