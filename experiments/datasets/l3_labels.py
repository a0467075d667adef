"""L3 labels from the expert's negotiation actions (seed 000, section 10.2).

For every offer the expert proposed: the offline L1 baseline for that thread (same shield code as
online, on the day's logged state), the residual (dq, dp) of the expert's offer against it, the
time label (delivery offset) projected onto the nearest offset the offline time mask allows,
the mask itself, and the thread's earlier offers as history. For every partner offer the expert
answered: the operation label (0 accept, 1 counter/reject, 2 end).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.collect.recorder import PROPOSED, RECEIVED
from experiments.datasets.expert_data import ExpertData
from policies.shield import compute_limits
from policies.shield.baseline import baseline_action
from policies.shield.clip import nearest_allowed
from policies.shield.threads import ThreadBounds
from policies.shield.time_mask import time_mask

HISTORY_FEATURES = 4  # quantity / q_max, delta / H, price / reference, 1 if the expert sent it


@dataclass(frozen=True)
class L3LabelConfig:
    horizon: int = 40
    history_length: int = 16


def thread_bounds(
    data: ExpertData, events: np.ndarray, day_rows: np.ndarray, horizon: int
) -> ThreadBounds:
    day = data["event_day"][events]
    return ThreadBounds.build(
        is_buy=data["event_is_buy"][events].astype(bool),
        min_delta=np.clip(data["event_t_min"][events] - day, 0, horizon),
        max_delta=np.clip(data["event_t_max"][events] - day, 0, horizon),
        q_max=data["event_q_max"][events],
        p_min=data["event_p_min"][events],
        p_max=data["event_p_max"][events],
        state_index=day_rows,
    )


def reference_prices(data: ExpertData, events: np.ndarray, day_rows: np.ndarray) -> np.ndarray:
    buy = data["event_is_buy"][events].astype(bool)
    return np.where(buy, data["day_price_in"][day_rows], data["day_price_out"][day_rows])


def histories(
    data: ExpertData, events: np.ndarray, references: np.ndarray, config: L3LabelConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(n, L, 4) earlier offers of each event's negotiation (oldest first, right-aligned) and a
    (n, L) validity mask. "Earlier": same expert, day and partner, lower negotiation step."""
    length = config.history_length
    out = np.zeros((len(events), length, HISTORY_FEATURES), dtype=np.float32)
    valid = np.zeros((len(events), length), dtype=bool)
    key = np.stack(
        [data["event_world"], data["event_agent"], data["event_day"], data["event_partner"]], axis=1
    )
    order = np.lexsort((data["event_step"], key[:, 3], key[:, 2], key[:, 1], key[:, 0]))
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    for i, e in enumerate(events):
        earlier = []
        p = position[e] - 1
        while p >= 0 and np.array_equal(key[order[p]], key[e]) and len(earlier) < length:
            if data["event_step"][order[p]] < data["event_step"][e]:
                earlier.append(order[p])
            p -= 1
        earlier = earlier[::-1]
        if not earlier:
            continue
        rows = np.array(earlier)
        feats = np.stack(
            [
                data["event_quantity"][rows] / np.maximum(data["event_q_max"][rows], 1),
                (data["event_delivery_day"][rows] - data["event_day"][rows]) / config.horizon,
                data["event_unit_price"][rows] / max(references[i], 1e-9),
                (data["event_kind"][rows] == PROPOSED).astype(float),
            ],
            axis=1,
        )
        out[i, length - len(rows) :] = feats
        valid[i, length - len(rows) :] = True
    return out, valid


def extract_l3_samples(
    data: ExpertData, config: L3LabelConfig | None = None
) -> dict[str, np.ndarray]:
    """Proposal samples (``proposal_*``) and answer samples (``answer_*``); see the module doc."""
    c = config or L3LabelConfig()
    state = data.shield_state()
    if state.horizon != c.horizon:
        raise ValueError(f"dataset horizon {state.horizon} != label horizon {c.horizon}")
    limits = compute_limits(state)
    rows = data.day_row(data["event_world"], data["event_agent"], data["event_day"])
    out: dict[str, np.ndarray] = {}

    proposals = np.flatnonzero((data["event_kind"] == PROPOSED) & (rows >= 0))
    p_rows = rows[proposals]
    threads = thread_bounds(data, proposals, p_rows, c.horizon)
    mask = time_mask(limits, threads)
    refs = reference_prices(data, proposals, p_rows)
    buy = threads.is_buy
    wanted = np.maximum(
        1.0, np.where(buy, data["day_needed_supplies"][p_rows], data["day_needed_sales"][p_rows])
    )
    base = baseline_action(limits, threads, refs, wanted)
    quantity = data["event_quantity"][proposals].astype(np.float64)
    price = data["event_unit_price"][proposals]
    raw_time = np.clip(
        data["event_delivery_day"][proposals] - data["event_day"][proposals], 0, c.horizon
    )
    projected, found = nearest_allowed(raw_time, mask)
    allowed_raw = mask[np.arange(len(proposals)), raw_time]
    time_label = np.where(allowed_raw, raw_time, np.where(found, projected, base.delta))
    history, history_valid = histories(data, proposals, refs, c)
    out.update(
        proposal_event=proposals,
        proposal_day_row=p_rows,
        proposal_is_buy=buy,
        proposal_q_max=threads.q_max,
        proposal_reference_price=refs,
        proposal_baseline=np.stack([base.quantity, base.unit_price, base.delta], axis=1),
        proposal_residual=np.stack([quantity - base.quantity, price - base.unit_price], axis=1),
        proposal_residual_normalized=np.stack(
            [
                (quantity - base.quantity) / np.maximum(threads.q_max, 1.0),
                (price - base.unit_price) / np.maximum(refs, 1e-9),
            ],
            axis=1,
        ).astype(np.float32),
        proposal_time_label=time_label.astype(np.int64),
        proposal_time_fixed=~allowed_raw,
        proposal_time_mask=mask,
        proposal_history=history,
        proposal_history_valid=history_valid,
    )

    answers = np.flatnonzero((data["event_kind"] == RECEIVED) & (rows >= 0))
    a_rows = rows[answers]
    a_refs = reference_prices(data, answers, a_rows)
    a_history, a_valid = histories(data, answers, a_refs, c)
    offer = np.stack(
        [
            data["event_quantity"][answers] / np.maximum(data["event_q_max"][answers], 1),
            (data["event_delivery_day"][answers] - data["event_day"][answers]) / c.horizon,
            data["event_unit_price"][answers] / np.maximum(a_refs, 1e-9),
            np.zeros(len(answers)),
        ],
        axis=1,
    ).astype(np.float32)
    out.update(
        answer_event=answers,
        answer_day_row=a_rows,
        answer_is_buy=data["event_is_buy"][answers].astype(bool),
        answer_offer=offer,
        answer_history=a_history,
        answer_history_valid=a_valid,
        answer_operation=data["event_response"][answers].astype(np.int64),
    )
    return out
