"""The L3 context vectors (CONTEXT_DIM = 8), built the same way in training and in the agent."""

from __future__ import annotations

import numpy as np


def proposal_context(
    is_buy: np.ndarray, baseline: np.ndarray, partner_offer: np.ndarray, has_offer: np.ndarray
) -> np.ndarray:
    """is_buy, the L1 baseline offer (q / q_max, p / reference, delta / H), the partner's last
    offer (q / q_max, delta / H, p / reference; zeros if none), has offer."""
    return np.concatenate(
        [is_buy[:, None], baseline, partner_offer, has_offer[:, None]], axis=1
    ).astype(np.float32)


def answer_context(
    is_buy: np.ndarray,
    relative_time: np.ndarray,
    need: np.ndarray,
    price_vs_goal: np.ndarray,
    offer: np.ndarray,
) -> np.ndarray:
    """is_buy, the negotiation's relative time, the day's need on that side in agenda maxima
    (clipped to 5), the offer's price against the goal price of its bucket minus 1 (clipped to
    [-1, 1]), the offer (q / q_max, delta / H, p / reference), 1."""
    return np.concatenate(
        [
            np.stack(
                [is_buy, relative_time, np.clip(need, 0.0, 5.0), np.clip(price_vs_goal, -1.0, 1.0)],
                axis=1,
            ),
            offer,
            np.ones((len(offer), 1)),
        ],
        axis=1,
    ).astype(np.float32)
