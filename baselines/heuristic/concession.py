"""Heuristic L3: concede from the opening price toward the L2 limit price over a negotiation."""

from __future__ import annotations

import numpy as np

from policies.l2_goal import BUCKET_STARTS, N_BUCKETS, bucket_of


def aspiration_price(
    is_buy: np.ndarray,
    p_min: np.ndarray,
    p_max: np.ndarray,
    limit: np.ndarray,
    relative_time: np.ndarray,
    exponent: float,
) -> np.ndarray:
    """Price each thread asks for now: the agenda's best price at the start, the limit at the end.

    ``exponent`` > 1 holds out longer (Boulware); < 1 concedes early.
    """
    best = np.where(is_buy, p_min, p_max)
    worst = np.clip(limit, p_min, p_max)
    progress = np.clip(relative_time, 0.0, 1.0) ** exponent
    return best + (worst - best) * progress


def price_acceptable(is_buy: np.ndarray, price: np.ndarray, aspiration: np.ndarray) -> np.ndarray:
    """Offers at least as good as what we ask for now."""
    return np.where(is_buy, price <= aspiration, price >= aspiration)


def preferred_delta(
    need_by_bucket: np.ndarray, min_delta: np.ndarray, max_delta: np.ndarray
) -> np.ndarray:
    """For each thread: the first reachable day of the most urgent bucket with unmet need.

    ``need_by_bucket`` has shape (K, 4). Partners mostly want near deliveries (their own
    exogenous contracts are for today), so urgency beats size. Threads with no reachable need
    get their earliest day.
    """
    starts = np.maximum(BUCKET_STARTS[None, :], min_delta[:, None])
    ends = np.append(BUCKET_STARTS[1:] - 1, np.iinfo(np.int64).max)
    reachable = (starts <= max_delta[:, None]) & (ends[None, :] >= min_delta[:, None])
    wanted = reachable & (need_by_bucket > 0)
    first = np.argmax(wanted, axis=1)
    day = starts[np.arange(len(first)), first]
    return np.where(wanted.any(axis=1), day, min_delta)


def share_of_need(
    need_by_bucket: np.ndarray, delta: np.ndarray, n_sharing: np.ndarray
) -> np.ndarray:
    """Quantity each thread asks for: its bucket's unmet need split over the threads on its side."""
    bucket = np.clip(bucket_of(delta), 0, N_BUCKETS - 1)
    need = need_by_bucket[np.arange(len(delta)), bucket]
    return np.ceil(need / np.maximum(n_sharing, 1))
