"""The L3 action form, one definition for the learned executor and the round environment.

Per thread, L3 picks an operation (index into :data:`OPERATIONS`: accept, counter, end), a
delivery offset 0..H (masked by the L1 time mask) and a residual (dq, dp) in [-1, 1]^2 against
the L1 baseline offer, dq in units of the agenda's maximum quantity and dp in units of the
reference price. :func:`decision_from_actions` turns these into a :class:`Decision` (before the
shield), :func:`actions_from_decision` maps any executor's decision back onto the form (the
reference action of the environments), :func:`goal_inputs` builds the networks' inputs for a day
goal. Needs numpy only.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from policies.decision.contexts import DecisionInputs, decision_inputs
from policies.decision.executor import Decision
from policies.decision.snapshot import DaySnapshot, ThreadSnapshot
from policies.l2_goal import GoalCodec
from policies.shield import ACCEPT, COUNTER, END

OPERATIONS = np.array([ACCEPT, COUNTER, END])
N_OPERATIONS = len(OPERATIONS)
COUNTER_INDEX = int(np.flatnonzero(OPERATIONS == COUNTER)[0])
END_INDEX = int(np.flatnonzero(OPERATIONS == END)[0])


class ThreadActions(NamedTuple):
    """L3's choices for K threads."""

    operation: np.ndarray  # (K,) index into OPERATIONS
    delivery: np.ndarray  # (K,) delivery offset in days
    residual: np.ndarray  # (K, 2) dq / q_max, dp / reference price, in [-1, 1]


def goal_inputs(
    day: DaySnapshot, goal: np.ndarray, threads: ThreadSnapshot, horizon: int
) -> DecisionInputs:
    """The L3/L4 inputs of a round whose threads all belong to the day of ``goal`` (4, 4)."""
    n = len(threads)
    codec = GoalCodec(horizon)
    encoded = codec.encode(goal, day.n_lines, day.market.price_in, day.market.price_out)
    return decision_inputs(
        day.limits,
        threads,
        np.repeat(np.asarray(goal)[None], n, axis=0),
        np.repeat(encoded[None], n, axis=0),
        horizon,
    )


def operation_mask(threads: ThreadSnapshot) -> np.ndarray:
    """(K, 3) allowed operations: any where an offer is on the table, else only counter (a
    first proposal is always made; the shield ends it if nothing is safe)."""
    mask = np.zeros((len(threads), N_OPERATIONS), dtype=bool)
    mask[threads.has_offer] = True
    mask[~threads.has_offer, COUNTER_INDEX] = True
    return mask


def decision_from_actions(
    inputs: DecisionInputs, threads: ThreadSnapshot, actions: ThreadActions, weights: np.ndarray
) -> Decision:
    """The decision before the shield: an accept repeats the offer on the table; a counter is the
    baseline plus the residual, delivered at the chosen offset (the baseline's where the time
    mask allows nothing); operations not allowed by :func:`operation_mask` become counters."""
    allowed = operation_mask(threads)
    operation = np.asarray(actions.operation, dtype=np.int64)
    operation = np.where(allowed[np.arange(len(threads)), operation], operation, COUNTER_INDEX)
    kind = OPERATIONS[operation]
    accept = kind == ACCEPT
    residual = np.clip(np.asarray(actions.residual, dtype=np.float64), -1.0, 1.0)
    base = inputs.baseline
    q_max = np.maximum(threads.bounds.q_max, 1.0)
    off_q, off_d, off_p = threads.offer.T
    delivery = np.where(inputs.time_mask.any(axis=1), actions.delivery, base.delta)
    return Decision(
        kind=kind,
        quantity=np.where(accept, off_q, base.quantity + residual[:, 0] * q_max),
        unit_price=np.where(
            accept, off_p, base.unit_price + residual[:, 1] * threads.reference_price
        ),
        delta=np.where(accept, off_d, delivery).astype(np.int64),
        weights=np.asarray(weights, dtype=np.float64),
    )


def actions_from_decision(
    inputs: DecisionInputs, threads: ThreadSnapshot, decision: Decision, horizon: int
) -> ThreadActions:
    """Any executor's decision on the L3 form (residuals clipped to [-1, 1]); fields an operation
    does not use get allowed values (the first allowed offset), so masked policies agree."""
    index = {int(kind): i for i, kind in enumerate(OPERATIONS)}
    operation = np.array([index[int(k)] for k in decision.kind], dtype=np.int64)
    counter = operation == COUNTER_INDEX
    base = inputs.baseline
    q_max = np.maximum(threads.bounds.q_max, 1.0)
    residual = np.stack(
        [
            (decision.quantity - base.quantity) / q_max,
            (decision.unit_price - base.unit_price) / np.maximum(threads.reference_price, 1e-9),
        ],
        axis=1,
    )
    first_allowed = np.where(inputs.time_mask.any(axis=1), np.argmax(inputs.time_mask, axis=1), 0)
    delivery = np.where(counter, np.clip(decision.delta, 0, horizon), first_allowed)
    return ThreadActions(
        operation=operation,
        delivery=delivery.astype(np.int64),
        residual=np.where(counter[:, None], np.clip(residual, -1.0, 1.0), 0.0).astype(np.float32),
    )


__all__ = [
    "COUNTER_INDEX",
    "END_INDEX",
    "N_OPERATIONS",
    "OPERATIONS",
    "ThreadActions",
    "actions_from_decision",
    "decision_from_actions",
    "goal_inputs",
    "operation_mask",
]
