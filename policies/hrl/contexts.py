"""The L3 context vectors (CONTEXT_DIM = 13), built the same way in training and in the agent."""

from __future__ import annotations

import numpy as np

from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, bucket_of

ROUND_FEATURES = 3
STOCK_FEATURES = 2


def goal_limit(
    goal: np.ndarray, delta: np.ndarray, is_buy: np.ndarray, reference: np.ndarray
) -> np.ndarray:
    """Each offer's limit price in its goal ((4, 4) shared, or (n, 4, 4) one per offer): the
    goal's price on the offer's side in the bucket of its delivery offset; the reference price
    where the goal sets none (an unnegotiable side)."""
    goals = np.broadcast_to(goal, (len(delta), N_BUCKETS, 4))
    bucket = np.clip(bucket_of(np.maximum(delta, 0).astype(int)), 0, N_BUCKETS - 1)
    rows = np.arange(len(delta))
    limit = np.where(is_buy, goals[rows, bucket, P_BUY], goals[rows, bucket, P_SELL])
    return np.where(limit > 0, limit, reference)


def round_features(
    group: np.ndarray, is_buy: np.ndarray, quantity: np.ndarray, price: np.ndarray, need: np.ndarray
) -> np.ndarray:
    """(n, 3) for partner offers answered together (same ``group``): what the same side offers in
    total against the day's need on that side, the offer's price rank on its side (0 the best for
    us: cheapest when buying, dearest when selling; 1 the worst), and the quantity of the better
    offers before it against the need (does it still fit?). Ratios are clipped to 5."""
    out = np.zeros((len(group), ROUND_FEATURES), dtype=np.float32)
    if len(group) == 0:
        return out
    for key in np.unique(np.stack([group, is_buy.astype(np.int64)], axis=1), axis=0):
        members = np.flatnonzero((group == key[0]) & (is_buy.astype(np.int64) == key[1]))
        out[members, 0] = np.clip(
            quantity[members].sum() / max(float(need[members[0]]), 1.0), 0.0, 5.0
        )
        if len(members) > 1:
            better_first = price[members] if key[1] else -price[members]
            order = np.argsort(better_first, kind="stable")
            ranks = np.argsort(order, kind="stable")
            out[members, 1] = ranks / (len(members) - 1)
            before = np.cumsum(quantity[members][order]) - quantity[members][order]
            out[members, 2] = np.clip(before[ranks] / max(float(need[members[0]]), 1.0), 0.0, 5.0)
    return out


def proposal_context(
    is_buy: np.ndarray, baseline: np.ndarray, partner_offer: np.ndarray, has_offer: np.ndarray
) -> np.ndarray:
    """is_buy, the L1 baseline offer (q / q_max, p / reference, delta / H), the partner's last
    offer (q / q_max, delta / H, p / reference; zeros if none), has offer, and zeros where an
    answer has its round and stock features."""
    padding = np.zeros((len(is_buy), ROUND_FEATURES + STOCK_FEATURES))
    parts = [is_buy[:, None], baseline, partner_offer, has_offer[:, None], padding]
    return np.concatenate(parts, axis=1).astype(np.float32)


def answer_context(
    is_buy: np.ndarray,
    relative_time: np.ndarray,
    need: np.ndarray,
    price_vs_goal: np.ndarray,
    offer: np.ndarray,
    round_feats: np.ndarray,
    committed: np.ndarray,
    inventory_input: np.ndarray,
) -> np.ndarray:
    """is_buy, the negotiation's relative time, the day's need on that side in agenda maxima
    (clipped to 5), the offer's price against the goal price of its bucket minus 1 (clipped to
    [-1, 1]), the offer (q / q_max, delta / H, p / reference), 1, the round features, then what
    is already contracted on the offer's side for its delivery day and the input inventory, both
    in agenda maxima (clipped to 5): whether the offer still fits the factory on that day."""
    head = np.stack(
        [is_buy, relative_time, np.clip(need, 0.0, 5.0), np.clip(price_vs_goal, -1.0, 1.0)], axis=1
    )
    ones = np.ones((len(offer), 1))
    stock = np.clip(np.stack([committed, inventory_input], axis=1), 0.0, 5.0)
    return np.concatenate([head, offer, ones, round_feats, stock], axis=1).astype(np.float32)
