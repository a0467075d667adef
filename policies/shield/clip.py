"""clip_action: project proposed offers onto what the shield allows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.shield.limits import ShieldLimits
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
    offsets = np.arange(mask.shape[1])
    distance = np.abs(offsets[None, :] - delta[:, None]).astype(np.float64)
    distance[~mask] = np.inf
    best = np.argmin(distance, axis=1)
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
) -> Offers:
    """Clip K proposed offers, one per thread.

    Price goes into the agenda's range; the delivery offset to the nearest allowed one; the
    quantity is floored to whole units and capped by the agenda, Q_safe on that day and (buying)
    what the budget pays at the clipped price. Anything below ``min_quantity`` becomes 0.
    """
    if safe is None:
        safe = thread_safe_quantities(limits, threads)
    if budgets is None:
        budgets = thread_budgets(limits, threads)
    mask = time_mask(limits, threads, min_quantity, safe=safe, budgets=budgets)
    price = np.clip(np.asarray(unit_price, dtype=np.float64), threads.p_min, threads.p_max)
    requested = np.clip(np.rint(np.asarray(delta, dtype=np.float64)), 0, safe.shape[1] - 1)
    chosen, found = nearest_allowed(requested.astype(np.int64), mask)
    rows = np.arange(len(threads))
    cap = np.minimum(safe[rows, chosen], threads.q_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.minimum(cap, np.where(price > 0, np.floor(budgets / price), np.inf))
    q = np.minimum(np.floor(np.maximum(np.nan_to_num(quantity, nan=0.0), 0.0)), cap)
    q = np.where(found & (q >= min_quantity), q, 0.0)
    return Offers(
        quantity=q, unit_price=price, delta=np.where(found, chosen, requested.astype(np.int64))
    )
