"""Network inputs of L3 and L4 from a :class:`ThreadSnapshot`: pure functions, one definition.

The environments, the offline sample builders and the exported agent all call
:func:`decision_inputs`; the columns are those of :mod:`policies.decision.layouts`.

Choices made once for both sides (online and offline):
- limits, reference prices and the baseline come from the day's dawn snapshot (recorded
  offline); the shield that clips the final responses reads the live state;
- the baseline quantity is the need still open on the thread's side as the round began
  (at least 1);
- the history is the thread's offers of earlier rounds that day, ours and theirs, opening
  offers included; the offer on the table is in the context, not in the history;
- L4 reads each thread as it stands before the decision: the offer on the table, else the
  baseline offer.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from policies.decision.layouts import (
    ANSWER_CONTEXT,
    COORDINATOR_FEATURES,
    PROPOSAL_CONTEXT,
    ROUND_FEATURES,
)
from policies.decision.snapshot import ThreadSnapshot
from policies.l2_goal import GOAL_DIM, N_BUCKETS, P_BUY, P_SELL, bucket_of
from policies.shield import ShieldLimits, baseline_action, time_mask
from policies.shield.clip import Offers


class DecisionInputs(NamedTuple):
    """Everything L3 and L4 read for K threads (float32 arrays, K rows)."""

    goal: np.ndarray  # (K, 16) normalized goal of the thread's day
    history: np.ndarray  # (K, L, 4)
    history_valid: np.ndarray  # (K, L) bool
    proposal_context: np.ndarray  # (K, 13)
    answer_context: np.ndarray  # (K, 13)
    time_mask: np.ndarray  # (K, H+1) bool
    baseline: Offers  # the L1 baseline offer (physical units)
    coordinator_rows: np.ndarray  # (K, 5)
    coordinator_delta: np.ndarray  # (K,) delivery offset / H


def decision_inputs(
    limits: ShieldLimits,
    threads: ThreadSnapshot,
    goals: np.ndarray,
    encoded_goals: np.ndarray,
    horizon: int,
) -> DecisionInputs:
    """``goals`` (K, 4, 4) physical and ``encoded_goals`` (K, 16): each thread's day goal."""
    bounds = threads.bounds
    base = baseline_action(
        limits, bounds, threads.reference_price, np.maximum(1.0, threads.open_need)
    )
    rows, delta = coordinator_rows(threads, base, horizon)
    return DecisionInputs(
        goal=np.asarray(encoded_goals, dtype=np.float32).reshape(len(threads), GOAL_DIM),
        history=threads.history.astype(np.float32),
        history_valid=threads.history_valid,
        proposal_context=proposal_context(threads, base, horizon),
        answer_context=answer_context(threads, goals, horizon),
        time_mask=time_mask(limits, bounds),
        baseline=base,
        coordinator_rows=rows,
        coordinator_delta=delta,
    )


def normalized_offer(threads: ThreadSnapshot, horizon: int) -> np.ndarray:
    """(K, 3) the offer on the table: q / q_max, delta / H, p / reference (zeros if none)."""
    q_max = np.maximum(threads.bounds.q_max, 1.0)
    scale = np.stack(
        [q_max, np.full(len(threads), float(horizon)), np.maximum(threads.reference_price, 1e-9)],
        axis=1,
    )
    return threads.offer / scale * threads.has_offer[:, None]


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
    total against the open need on that side, the offer's price rank on its side (the share of
    the side's other offers that are strictly better for us: cheaper when buying, dearer when
    selling; 0 the best), and the quantity of those strictly better offers against the need
    (does it still fit?). Ties share a rank, so the order the offers come in does not matter.
    Ratios are clipped to 5."""
    out = np.zeros((len(group), len(ROUND_FEATURES)), dtype=np.float32)
    if len(group) == 0:
        return out
    for key in np.unique(np.stack([group, is_buy.astype(np.int64)], axis=1), axis=0):
        members = np.flatnonzero((group == key[0]) & (is_buy.astype(np.int64) == key[1]))
        need_here = max(float(need[members[0]]), 1.0)
        out[members, 0] = np.clip(quantity[members].sum() / need_here, 0.0, 5.0)
        if len(members) > 1:
            cost = price[members] if key[1] else -price[members]  # lower is better for us
            better = cost[None, :] < cost[:, None]  # better[i, j]: offer j beats offer i
            out[members, 1] = better.sum(axis=1) / (len(members) - 1)
            out[members, 2] = np.clip(better @ quantity[members] / need_here, 0.0, 5.0)
    return out


def proposal_context(threads: ThreadSnapshot, base: Offers, horizon: int) -> np.ndarray:
    """(K, 13) :data:`PROPOSAL_CONTEXT`: side, the L1 baseline offer, the offer on the table."""
    q_max = np.maximum(threads.bounds.q_max, 1.0)
    baseline = np.stack(
        [
            base.quantity / q_max,
            base.unit_price / np.maximum(threads.reference_price, 1e-9),
            base.delta / horizon,
        ],
        axis=1,
    )
    unused = np.zeros((len(threads), sum(n.startswith("unused") for n in PROPOSAL_CONTEXT)))
    parts = [
        threads.bounds.is_buy[:, None],
        baseline,
        normalized_offer(threads, horizon),
        threads.has_offer[:, None],
        unused,
    ]
    return np.concatenate(parts, axis=1).astype(np.float32)


def answer_context(threads: ThreadSnapshot, goals: np.ndarray, horizon: int) -> np.ndarray:
    """(K, 13) :data:`ANSWER_CONTEXT`: side, relative time, the open need (in agenda maxima,
    clipped to 5), the offer's price against the goal price of its bucket minus 1 (clipped to
    [-1, 1]), the offer, 1, its round, then what is contracted for its delivery day and the input
    inventory (agenda maxima, clipped to 5): does the offer still fit the factory on that day?"""
    is_buy = threads.bounds.is_buy
    q_max = np.maximum(threads.bounds.q_max, 1.0)
    need = np.maximum(threads.open_need, 0.0)
    quantity, delta, price = threads.offer.T
    limit = goal_limit(goals, delta, is_buy, threads.reference_price)
    head = np.stack(
        [
            is_buy,
            threads.relative_time,
            np.clip(need / q_max, 0.0, 5.0),
            np.clip(price / limit - 1.0, -1.0, 1.0),
        ],
        axis=1,
    )
    rounds = round_features(threads.round_group, is_buy, quantity * threads.has_offer, price, need)
    stock = np.clip(
        np.stack([threads.committed_at_delivery, threads.inventory_input], axis=1) / q_max[:, None],
        0.0,
        5.0,
    )
    ones = np.ones((len(threads), 1))
    out = np.concatenate([head, normalized_offer(threads, horizon), ones, rounds, stock], axis=1)
    assert out.shape[1] == len(ANSWER_CONTEXT)
    return out.astype(np.float32)


def coordinator_rows(
    threads: ThreadSnapshot, base: Offers, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """(K, 5) :data:`COORDINATOR_FEATURES` and (K,) delta / H: each thread as it stands before
    the decision (the offer on the table, else the L1 baseline offer)."""
    has = threads.has_offer
    quantity = np.where(has, threads.offer[:, 0], base.quantity)
    delta = np.where(has, threads.offer[:, 1], base.delta)
    price = np.where(has, threads.offer[:, 2], base.unit_price)
    rows = np.stack(
        [
            threads.bounds.is_buy.astype(float),
            quantity / np.maximum(threads.bounds.q_max, 1.0),
            delta / horizon,
            price / np.maximum(threads.reference_price, 1e-9),
            threads.relative_time,
        ],
        axis=1,
    )
    assert rows.shape[1] == len(COORDINATOR_FEATURES)
    return rows.astype(np.float32), (delta / horizon).astype(np.float32)
