"""L4 dynamic reservation: threads draw on one shared Q_safe / B_free in weight order."""

from __future__ import annotations

import numpy as np

from policies.shield.clip import Offers, clip_action
from policies.shield.limits import ShieldLimits, safe_quantities
from policies.shield.threads import ThreadBounds


def reserve(
    quantity: np.ndarray,
    unit_price: np.ndarray,
    delta: np.ndarray,
    weights: np.ndarray,
    limits: ShieldLimits,
    threads: ThreadBounds,
    min_quantity: float = 1.0,
) -> Offers:
    """Clip the threads' offers one by one, heaviest weight first, against what is left.

    A purchase of q delivered on day d uses q of the storage headroom on every day >= d and
    q * price of the budget; a sale uses q of the product on every day >= d. So what all threads
    get together never exceeds any day's Q_safe or B_free, however many threads there are.
    All threads must belong to one state (online use). Returns offers in the input order.
    """
    if len(threads) and np.any(threads.state_index != threads.state_index[0]):
        raise ValueError("reserve() takes the threads of one state; got several state_index values")
    order = np.argsort(-np.asarray(weights, dtype=np.float64), kind="stable")
    row = int(threads.state_index[0]) if len(threads) else 0
    headroom = {True: limits.buy_headroom[row].copy(), False: limits.sell_headroom[row].copy()}
    budget = float(limits.budget[row])
    n_days = headroom[True].shape[0]
    out_q = np.zeros(len(threads))
    out_p = np.asarray(unit_price, dtype=np.float64).copy()
    out_d = np.asarray(delta, dtype=np.int64).copy()
    for i in order:
        buying = bool(threads.is_buy[i])
        one = threads.select(np.array([i]))
        clipped = clip_action(
            np.asarray(quantity)[i : i + 1],
            np.asarray(unit_price)[i : i + 1],
            np.asarray(delta)[i : i + 1],
            limits,
            one,
            min_quantity,
            safe=safe_quantities(headroom[buying])[None, :],
            budgets=np.array([budget if buying else np.inf]),
        )
        q, p, d = float(clipped.quantity[0]), float(clipped.unit_price[0]), int(clipped.delta[0])
        out_q[i], out_p[i], out_d[i] = q, p, d
        if q > 0:
            headroom[buying][d:n_days] -= q
            if buying:
                budget -= q * p
    return Offers(quantity=out_q, unit_price=out_p, delta=out_d)
