"""The shield's baseline action: a safe, conservative offer for every thread."""

from __future__ import annotations

import numpy as np

from policies.shield.clip import Offers, clip_action
from policies.shield.limits import ShieldLimits
from policies.shield.threads import ThreadBounds
from policies.shield.time_mask import thread_safe_quantities, time_mask


def baseline_action(
    limits: ShieldLimits,
    threads: ThreadBounds,
    reference_price: np.ndarray,
    wanted: np.ndarray,
    margin: float = 0.05,
) -> Offers:
    """Per thread: buy below / sell above the reference price by ``margin``.

    Buying picks the allowed day with the most safe room (Q_safe grows with the delay, so the
    earliest day that reaches the maximum); selling ships on the earliest allowed day. The
    quantity is ``wanted`` (e.g. today's needs), clipped like any other action.
    """
    safe = thread_safe_quantities(limits, threads)
    mask = time_mask(limits, threads, safe=safe)
    roomiest = np.argmax(np.where(mask, safe, -np.inf), axis=1)
    earliest = np.argmax(mask, axis=1)
    delta = np.where(threads.is_buy, roomiest, earliest)
    delta = np.where(mask.any(axis=1), delta, threads.min_delta)
    price = np.asarray(reference_price, dtype=np.float64) * np.where(
        threads.is_buy, 1.0 - margin, 1.0 + margin
    )
    return clip_action(
        np.asarray(wanted, dtype=np.float64), price, delta, limits, threads, safe=safe
    )
