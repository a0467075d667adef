"""Round-scale observation parts: one feature row per open negotiation thread, plus masks."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from policies.shield import ShieldLimits, ThreadBounds, time_mask

N_THREAD_FEATURES = 10
QUANTITY, TIME, UNIT_PRICE = 0, 1, 2


def thread_spaces(max_threads: int, horizon: int) -> dict[str, spaces.Box]:
    return {
        "threads": spaces.Box(-1.0, 1.0, shape=(max_threads, N_THREAD_FEATURES), dtype=np.float32),
        "thread_mask": spaces.Box(0.0, 1.0, shape=(max_threads,), dtype=np.float32),
        "time_mask": spaces.Box(0.0, 1.0, shape=(max_threads, horizon + 1), dtype=np.float32),
    }


def thread_observation(
    awi: Any, partners: list[str], threads: ThreadBounds, limits: ShieldLimits, max_threads: int
) -> dict[str, np.ndarray]:
    """Features of the first ``max_threads`` threads (zero rows pad the rest).

    Per thread: valid, is_buy, has_offer, offer quantity / agenda max, offer price within the
    agenda range, offer delta / H, relative time, agenda min/max delta / H, agenda max / (3 lines).
    """
    horizon = limits.safe_buy.shape[1] - 1
    features = np.zeros((max_threads, N_THREAD_FEATURES), dtype=np.float32)
    valid = np.zeros(max_threads, dtype=np.float32)
    allowed = np.zeros((max_threads, horizon + 1), dtype=np.float32)
    n = min(len(partners), max_threads)
    if n == 0:
        return {"threads": features, "thread_mask": valid, "time_mask": allowed}
    shown = threads.select(np.arange(n))
    allowed[:n] = time_mask(limits, shown)
    valid[:n] = 1.0
    offers, states = awi.current_offers, awi.current_states
    today = awi.current_step
    for i, partner in enumerate(partners[:n]):
        offer = offers.get(partner)
        q_max = max(float(shown.q_max[i]), 1.0)
        span = max(float(shown.p_max[i] - shown.p_min[i]), 1e-9)
        row = [1.0, float(shown.is_buy[i]), float(offer is not None)]
        if offer is not None:
            row += [
                offer[QUANTITY] / q_max,
                (offer[UNIT_PRICE] - shown.p_min[i]) / span,
                (offer[TIME] - today) / horizon,
            ]
        else:
            row += [0.0, 0.0, 0.0]
        state = states.get(partner)
        row += [
            float(state.relative_time) if state is not None else 0.0,
            shown.min_delta[i] / horizon,
            shown.max_delta[i] / horizon,
            q_max / max(3.0 * awi.n_lines, 1.0),
        ]
        features[i] = np.clip(row, -1.0, 1.0)
    return {"threads": features, "thread_mask": valid, "time_mask": allowed}
