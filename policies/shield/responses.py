"""Shielded responses: accept / counter / end for all threads, under one dynamic reservation."""

from __future__ import annotations

import numpy as np

from policies.shield.clip import Offers
from policies.shield.reservation import reserve
from policies.shield.state import ShieldState
from policies.shield.threads import ThreadBounds

ACCEPT, COUNTER, END = 0, 1, 2


def shielded_responses(
    kind: np.ndarray,
    quantity: np.ndarray,
    unit_price: np.ndarray,
    delta: np.ndarray,
    weights: np.ndarray,
    state: ShieldState,
    threads: ThreadBounds,
    reserve_money: float = 0.0,
) -> tuple[np.ndarray, Offers]:
    """Make K proposed responses safe together.

    ``kind[i]`` is ACCEPT (then quantity/price/delta are the partner's offer), COUNTER (our
    offer) or END. Accepts draw on the shared Q_safe / B_free before any counter, heavier
    weights first. An accept survives only if the shield grants the offer unchanged; otherwise it
    becomes a counter with what was granted. A counter granted nothing becomes END.
    Returns the final kinds and the offers (meaningful for ACCEPT and COUNTER).
    """
    kind = np.asarray(kind, dtype=np.int64)
    active = kind != END
    priority = np.asarray(weights, dtype=np.float64) + np.where(kind == ACCEPT, 1e6, 0.0)
    granted = reserve(
        np.where(active, quantity, 0.0),
        unit_price,
        delta,
        np.where(active, priority, -np.inf),
        state,
        threads,
        reserve_money,
    )
    unchanged = (
        (granted.quantity == np.asarray(quantity))
        & (granted.delta == np.asarray(delta))
        & np.isclose(granted.unit_price, np.asarray(unit_price, dtype=np.float64))
    )
    final = np.where(kind == ACCEPT, np.where(unchanged, ACCEPT, COUNTER), kind)
    final = np.where((final == COUNTER) & (granted.quantity <= 0), END, final)
    return final, granted
