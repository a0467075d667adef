"""The round environment's L3 action form: spaces, observation and action of K thread slots.

The observation carries exactly what the L3 network reads (``policies.decision.contexts``), padded
to ``max_threads`` slots; the action is L3's own (``policies.decision.thread_actions``): per slot
an operation (0 accept, 1 counter, 2 end), a delivery offset and a residual (dq, dp) against the
L1 baseline. So networks trained offline act in the environment unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from policies.decision.contexts import DecisionInputs
from policies.decision.layouts import ANSWER_CONTEXT, HISTORY_FEATURES, PROPOSAL_CONTEXT
from policies.decision.snapshot import ThreadSnapshot
from policies.decision.thread_actions import N_OPERATIONS, ThreadActions, operation_mask
from policies.l2_goal import GOAL_DIM

# Bounds of the network inputs: normalized features, a few ratios clipped at 5; prices against a
# reference can exceed that in odd markets, so the box is generous.
INPUT_BOUND = 100.0

L3_KEYS = (
    "thread_mask",
    "operation_mask",
    "time_mask",
    "goal",
    "history",
    "history_valid",
    "proposal_context",
    "answer_context",
)


def l3_observation_spaces(max_threads: int, horizon: int, history_length: int) -> dict:
    k = max_threads
    box = lambda *shape: spaces.Box(-INPUT_BOUND, INPUT_BOUND, shape=shape, dtype=np.float32)  # noqa: E731
    flags = lambda *shape: spaces.Box(0.0, 1.0, shape=shape, dtype=np.float32)  # noqa: E731
    return {
        "thread_mask": flags(k),
        "operation_mask": flags(k, N_OPERATIONS),
        "time_mask": flags(k, horizon + 1),
        "goal": spaces.Box(-1.0, 1.0, shape=(k, GOAL_DIM), dtype=np.float32),
        "history": box(k, history_length, len(HISTORY_FEATURES)),
        "history_valid": flags(k, history_length),
        "proposal_context": box(k, len(PROPOSAL_CONTEXT)),
        "answer_context": box(k, len(ANSWER_CONTEXT)),
    }


def l3_action_space(max_threads: int, horizon: int) -> spaces.Dict:
    k = max_threads
    return spaces.Dict(
        {
            "operation": spaces.MultiDiscrete(np.full(k, N_OPERATIONS)),
            "delivery": spaces.MultiDiscrete(np.full(k, horizon + 1)),
            "residual": spaces.Box(-1.0, 1.0, shape=(k, 2), dtype=np.float32),
        }
    )


def l3_observation(
    inputs: DecisionInputs | None,
    threads: ThreadSnapshot | None,
    obs_spaces: dict[str, spaces.Box],
) -> dict[str, np.ndarray]:
    """The first K threads' inputs in their slots; empty slots are zeros (with a counter-only
    operation mask and every offset allowed, so masked policies stay defined)."""
    out = {key: np.zeros(space.shape, dtype=np.float32) for key, space in obs_spaces.items()}
    out["operation_mask"][:, 1] = 1.0
    out["time_mask"][:] = 1.0
    if inputs is None or threads is None:
        return out
    shown = min(len(threads), out["thread_mask"].shape[0])
    rows = slice(0, shown)
    out["thread_mask"][rows] = 1.0
    out["operation_mask"][rows] = operation_mask(threads)[rows]
    times = inputs.time_mask[rows].astype(np.float32)
    out["time_mask"][rows] = np.where(times.any(axis=1, keepdims=True), times, 1.0)
    for key in ("goal", "history", "history_valid", "proposal_context", "answer_context"):
        value = np.asarray(getattr(inputs, key), dtype=np.float32)[rows]
        out[key][rows] = np.clip(value, -INPUT_BOUND, INPUT_BOUND)
    return out


def parse_l3_action(action: Any, space: spaces.Dict, n_threads: int) -> ThreadActions:
    """The action for ``n_threads`` threads (slots beyond them dropped, threads beyond the slots
    ended by the caller); a ValueError says what is wrong with a malformed one."""
    if not isinstance(action, dict) or set(action) != set(space.spaces):
        raise ValueError(
            f"the L3 action is a dict with keys {sorted(space.spaces)}; got "
            f"{sorted(action) if isinstance(action, dict) else type(action).__name__}"
        )
    operation = np.asarray(action["operation"])
    delivery = np.asarray(action["delivery"])
    residual = np.clip(np.asarray(action["residual"], dtype=np.float32), -1.0, 1.0)
    for key, value in (("operation", operation), ("delivery", delivery), ("residual", residual)):
        if value.shape != space[key].shape:
            raise ValueError(
                f"action[{key!r}] must have shape {space[key].shape}, got {value.shape}"
            )
    if not (space["operation"].contains(operation.astype(np.int64))) or not space[
        "delivery"
    ].contains(delivery.astype(np.int64)):
        raise ValueError(
            f"action operation must be in 0..{N_OPERATIONS - 1} and delivery in "
            f"0..{space['delivery'].nvec[0] - 1}; got {operation.tolist()}, {delivery.tolist()}"
        )
    if not np.isfinite(residual).all():
        raise ValueError(f"action['residual'] must be finite, got {residual.tolist()}")
    shown = min(n_threads, len(operation))
    return ThreadActions(
        operation=operation[:shown].astype(np.int64),
        delivery=delivery[:shown].astype(np.int64),
        residual=residual[:shown],
    )
