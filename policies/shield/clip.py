"""clip_action: project proposed offers onto what the shield allows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.shield.limits import ShieldLimits, day_offsets
from policies.shield.threads import ThreadBounds
from policies.shield.time_mask import thread_budgets, thread_safe_quantities, time_mask


@dataclass(frozen=True)
class Offers:
    """K offers ``(quantity, unit_price, delta)``; quantity 0 means "no safe offer"."""

    quantity: np.ndarray
    unit_price: np.ndarray
    delta: np.ndarray

    def as_tuples(self) -> list[tuple[int, float, int]]:
        return [
            (int(q), float(p), int(d))
            for q, p, d in zip(self.quantity, self.unit_price, self.delta, strict=True)
        ]


def nearest_allowed(delta: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closest allowed offset to each proposed one (ties go to the earlier day).

    Returns ``(delta, found)``; ``found`` is False for threads with no allowed offset.
    """
    n_days = mask.shape[1]
    distance = np.abs(day_offsets(n_days - 1) - delta[:, None])
    best = np.argmin(np.where(mask, distance, 2 * n_days), axis=1)
    return best, mask.any(axis=1)


def clip_action(
    quantity: np.ndarray,
    unit_price: np.ndarray,
    delta: np.ndarray,
    limits: ShieldLimits,
    threads: ThreadBounds,
    min_quantity: float = 1.0,
    safe: np.ndarray | None = None,
    budgets: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> Offers:
    """Clip K proposed offers, one per thread.

    Price goes into the agenda's range; the delivery offset to the nearest allowed one; the
    quantity is floored to whole units and capped by the agenda, Q_safe on that day and (buying)
    what the budget pays at the clipped price. Anything below ``min_quantity`` becomes 0.
    ``safe``/``budgets``/``mask`` may be passed when the caller already has them.
    """
    if safe is None:
        safe = thread_safe_quantities(limits, threads)
    if budgets is None:
        budgets = thread_budgets(limits, threads)
    if mask is None:
        mask = time_mask(limits, threads, min_quantity, safe=safe, budgets=budgets)
    price = np.minimum(
        np.maximum(np.asarray(unit_price, dtype=np.float64), threads.p_min), threads.p_max
    )
    requested = np.minimum(
        np.maximum(np.rint(np.asarray(delta, dtype=np.float64)), 0), safe.shape[1] - 1
    )
    requested = requested.astype(np.int64)
    chosen, found = nearest_allowed(requested, mask)
    cap = np.minimum(safe[np.arange(len(chosen)), chosen], threads.q_max)
    # Prices are clipped into the agenda (>= 1 in SCML); the floor on 1e-9 only guards bad agendas.
    cap = np.minimum(cap, np.floor(budgets / np.maximum(price, 1e-9)))
    wanted = np.asarray(quantity, dtype=np.float64)
    wanted = np.where(wanted == wanted, wanted, 0.0)  # NaN asks for nothing
    q = np.minimum(np.floor(np.maximum(wanted, 0.0)), cap)
    q = np.where(found & (q >= min_quantity), q, 0.0)
    return Offers(quantity=q, unit_price=price, delta=np.where(found, chosen, requested))
