"""Which delivery offsets a thread may offer."""

from __future__ import annotations

import numpy as np

from policies.shield.limits import ShieldLimits, day_offsets
from policies.shield.threads import ThreadBounds


def thread_safe_quantities(limits: ShieldLimits, threads: ThreadBounds) -> np.ndarray:
    """Q_safe row of each thread's side (buy: storage, sell: product), shape (K, H+1)."""
    if limits.safe_buy.shape[0] == 1:  # online: one state, no gather needed
        return np.where(threads.is_buy[:, None], limits.safe_buy, limits.safe_sell)
    idx = threads.state_index
    return np.where(threads.is_buy[:, None], limits.safe_buy[idx], limits.safe_sell[idx])


def thread_budgets(limits: ShieldLimits, threads: ThreadBounds) -> np.ndarray:
    """Money each thread may commit: B_free for buying, unlimited for selling. Shape (K,)."""
    return np.where(threads.is_buy, limits.budget[threads.state_index], np.inf)


def time_mask(
    limits: ShieldLimits,
    threads: ThreadBounds,
    min_quantity: float = 1.0,
    safe: np.ndarray | None = None,
    budgets: np.ndarray | None = None,
) -> np.ndarray:
    """Allowed delivery offsets per thread, bool of shape (K, H+1).

    An offset is allowed when the agenda permits it, at least ``min_quantity`` units are safe on
    that day, and (buying) the budget pays ``min_quantity`` units at the thread's lowest price.
    ``safe``/``budgets`` override the limits' own (reservation passes what is left).
    """
    if safe is None:
        safe = thread_safe_quantities(limits, threads)
    if budgets is None:
        budgets = thread_budgets(limits, threads)
    offsets = day_offsets(safe.shape[1] - 1)
    in_agenda = (offsets >= threads.min_delta[:, None]) & (offsets <= threads.max_delta[:, None])
    affordable = budgets >= min_quantity * threads.p_min
    return in_agenda & (safe >= min_quantity) & affordable[:, None]


def logit_mask(mask: np.ndarray) -> np.ndarray:
    """0 where allowed, -inf where forbidden: add to time logits before a softmax."""
    return np.where(mask, 0.0, -np.inf)
