"""L3 labels from the expert's negotiation actions.

Every recorded offer becomes a :class:`ThreadSnapshot` row (the snapshot the online agent
builds, here from recorded events), and the network inputs come from
:func:`policies.decision.contexts.decision_inputs`, the function the agent calls. On top:
for every offer the expert proposed, the residual (dq, dp) against the L1 baseline and the time
label (delivery offset) projected onto the nearest offset the time mask allows; for every
partner offer it answered, the operation label (0 accept, 1 counter/reject, 2 end).

DAgger worlds (experiments.collect.dagger) hold two kinds of rows: what the learner played
(context: thread histories and the offers on the table, never a label) and its teacher's answers
to the same rounds (labels, never context). An expert's own rows are both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.collect.recorder import LEARNER_PLAY, PROPOSED, RECEIVED, TEACHER_LABEL
from experiments.datasets.expert_data import ExpertData
from policies.decision.contexts import DecisionInputs, decision_inputs
from policies.decision.snapshot import ThreadSnapshot, history_tensor
from policies.shield import ShieldLimits, compute_limits
from policies.shield.clip import nearest_allowed
from policies.shield.threads import ThreadBounds


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


def thread_keys(data: ExpertData) -> np.ndarray:
    """(n_events, 4): world, agent, day, partner: one thread of one day."""
    return np.stack(
        [data["event_world"], data["event_agent"], data["event_day"], data["event_partner"]], axis=1
    )


def earlier_events(data: ExpertData, events: np.ndarray) -> list[np.ndarray]:
    """Per event, the (m, 4) rows (quantity, delivery offset, unit price, ours) of its thread's
    events of earlier rounds that day, in the order they were logged."""
    key = thread_keys(data)
    groups: dict[tuple, list[int]] = {}
    for index in np.flatnonzero(is_context(data)):
        groups.setdefault(tuple(key[index]), []).append(index)
    step = data["event_step"]
    rows = np.stack(
        [
            data["event_quantity"],
            data["event_delivery_day"] - data["event_day"],
            data["event_unit_price"],
            (data["event_kind"] == PROPOSED).astype(float),
        ],
        axis=1,
    ).astype(np.float64)
    out = []
    for e in events:
        thread = np.array(groups.get(tuple(key[e]), []), dtype=np.int64)
        out.append(rows[thread[step[thread] < step[e]]].reshape(-1, 4))
    return out


def is_context(data: ExpertData) -> np.ndarray:
    """Rows that were really played (histories and offers on the table come from these)."""
    return data["event_source"] != TEACHER_LABEL


def is_example(data: ExpertData) -> np.ndarray:
    """Rows whose decision is a label: an expert's own or a teacher's."""
    return data["event_source"] != LEARNER_PLAY


def offers_on_the_table(data: ExpertData, events: np.ndarray) -> np.ndarray:
    """Per event, the partner offer of its thread in the same round (-1 where none): a received
    event is its own offer; a proposal counters the offer received at its step, if any."""
    key = thread_keys(data)
    received = {
        (*map(int, key[i]), int(data["event_step"][i])): i
        for i in np.flatnonzero((data["event_kind"] == RECEIVED) & is_context(data))
    }
    return np.array(
        [received.get((*map(int, key[e]), int(data["event_step"][e])), -1) for e in events],
        dtype=np.int64,
    )


def round_groups(data: ExpertData, events: np.ndarray) -> np.ndarray:
    """Group index of each event: events of one expert, day and negotiation step form a round."""
    if len(events) == 0:
        return np.zeros(0, np.int64)
    keys = np.stack([data[f"event_{c}"][events] for c in ("world", "agent", "day", "step")], axis=1)
    return np.unique(keys, axis=0, return_inverse=True)[1].reshape(-1)


def thread_snapshot(
    data: ExpertData, events: np.ndarray, day_rows: np.ndarray, config: L3LabelConfig
) -> ThreadSnapshot:
    """The snapshot the online agent saw when it made each recorded event's decision."""
    bounds = thread_bounds(data, events, day_rows, config.horizon)
    reference = reference_prices(data, events, day_rows)
    table = offers_on_the_table(data, events)
    has_offer = table >= 0
    source = np.where(has_offer, table, 0)
    offer = (
        np.stack(
            [
                data["event_quantity"][source],
                data["event_delivery_day"][source] - data["event_day"][source],
                data["event_unit_price"][source],
            ],
            axis=1,
        ).astype(np.float64)
        * has_offer[:, None]
    )
    day_need = np.where(
        bounds.is_buy, data["day_needed_supplies"][day_rows], data["day_needed_sales"][day_rows]
    )
    history, valid = history_tensor(
        earlier_events(data, events), bounds.q_max, reference, config.horizon, config.history_length
    )
    return ThreadSnapshot(
        bounds=bounds,
        reference_price=reference.astype(np.float64),
        has_offer=has_offer,
        offer=offer,
        relative_time=data["event_relative_time"][events].astype(np.float64),
        open_need=(day_need - data["event_agreed_today"][events]).astype(np.float64),
        committed_at_delivery=data["event_committed_at_delivery"][events].astype(np.float64),
        inventory_input=data["day_shield_inventory_input"][day_rows].astype(np.float64),
        round_group=round_groups(data, events),
        history=history,
        history_valid=valid,
    )


def event_inputs(
    data: ExpertData,
    events: np.ndarray,
    goals: np.ndarray,
    encoded_goals: np.ndarray,
    config: L3LabelConfig,
    limits: ShieldLimits | None = None,
) -> tuple[ThreadSnapshot, DecisionInputs, np.ndarray]:
    """Snapshot, network inputs and day rows of recorded events (``goals`` per day row;
    ``limits`` of every day row, computed here when not given)."""
    rows = data.day_row(
        data["event_world"][events], data["event_agent"][events], data["event_day"][events]
    )
    if (rows < 0).any():
        raise ValueError("events without a recorded day row")
    limits = compute_limits(data.shield_state()) if limits is None else limits
    threads = thread_snapshot(data, events, rows, config)
    inputs = decision_inputs(limits, threads, goals[rows], encoded_goals[rows], config.horizon)
    return threads, inputs, rows


def extract_l3_samples(
    data: ExpertData,
    goals: np.ndarray,
    encoded_goals: np.ndarray,
    config: L3LabelConfig | None = None,
) -> dict[str, np.ndarray]:
    """Proposal samples (``proposal_*``) and answer samples (``answer_*``); see the module doc.
    ``goals`` (n_days, 4, 4) and ``encoded_goals`` (n_days, 16): the goal of each day row."""
    c = config or L3LabelConfig()
    state = data.shield_state()
    if state.horizon != c.horizon:
        raise ValueError(f"dataset horizon {state.horizon} != label horizon {c.horizon}")
    limits = compute_limits(state)  # every day row once, for proposals and answers
    rows = data.day_row(data["event_world"], data["event_agent"], data["event_day"])
    out: dict[str, np.ndarray] = {}

    proposals = np.flatnonzero((data["event_kind"] == PROPOSED) & (rows >= 0) & is_example(data))
    threads, x, p_rows = event_inputs(data, proposals, goals, encoded_goals, c, limits)
    base, mask, q_max = x.baseline, x.time_mask, np.maximum(threads.bounds.q_max, 1.0)
    quantity = data["event_quantity"][proposals].astype(np.float64)
    price = data["event_unit_price"][proposals]
    raw_time = np.clip(
        data["event_delivery_day"][proposals] - data["event_day"][proposals], 0, c.horizon
    )
    projected, found = nearest_allowed(raw_time, mask)
    allowed_raw = mask[np.arange(len(proposals)), raw_time]
    time_label = np.where(allowed_raw, raw_time, np.where(found, projected, base.delta))
    out.update(
        proposal_event=proposals,
        proposal_day_row=p_rows,
        proposal_is_buy=threads.bounds.is_buy,
        proposal_goal=x.goal,
        proposal_baseline=np.stack([base.quantity, base.unit_price, base.delta], axis=1),
        proposal_residual=np.stack([quantity - base.quantity, price - base.unit_price], axis=1),
        proposal_residual_normalized=np.stack(
            [
                (quantity - base.quantity) / q_max,
                (price - base.unit_price) / np.maximum(threads.reference_price, 1e-9),
            ],
            axis=1,
        ).astype(np.float32),
        proposal_time_label=time_label.astype(np.int64),
        proposal_time_fixed=~allowed_raw,
        proposal_time_mask=mask,
        proposal_history=x.history,
        proposal_history_valid=x.history_valid,
        proposal_context=x.proposal_context,
    )

    answers = np.flatnonzero((data["event_kind"] == RECEIVED) & (rows >= 0) & is_example(data))
    threads, x, a_rows = event_inputs(data, answers, goals, encoded_goals, c, limits)
    out.update(
        answer_event=answers,
        answer_day_row=a_rows,
        answer_is_buy=threads.bounds.is_buy,
        answer_goal=x.goal,
        answer_history=x.history,
        answer_history_valid=x.history_valid,
        answer_context=x.answer_context,
        answer_coordinator_rows=x.coordinator_rows,
        answer_coordinator_delta=x.coordinator_delta,
        answer_operation=data["event_response"][answers].astype(np.int64),
    )
    return out
