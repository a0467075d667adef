"""L2 goal labels from expert days.

Per day and side (buy, sell), per delivery bucket:
- quantity = the day's deals, soft-bucketed (each deal's quantity shared between the two bucket
  centres around its delivery offset) + shortfall compensation (today's unmet need, into the
  first bucket) + weak intent (the expert's last unaccepted proposal to each partner that day,
  soft-bucketed, times ``intent_weight``);
- price = the deals' VWAP in the bucket; else the mean of that day's live offers there (the
  expert's last proposals and the partners' last offers, quantity-weighted); else the spot
  fallback (buy 0.95 x trading price of the input, sell 1.05 x of the output);
- sides the factory cannot negotiate (x_role) are zeroed and masked out of the loss.

Days of DAgger worlds (``world_teacher`` set) show the learner's deals, not a teacher's, so
they get no L2 label (mask 0): their goal is the one the learner set itself that day
(``day_goal``), the input its L3 really saw.

``source="stated"`` labels L2 with the goal an expert states instead (our heuristic's plan,
recorded as ``day_goal``; on a DAgger day the teacher's plan on the learner's dawn,
``day_teacher_goal``): L2 then imitates the expert's planner, DAgger included, and on the
expert's own days L3 is conditioned on that stated goal, the input the expert's L3 really used.
Days whose expert states no goal keep the hindsight goal as L3's input and train no L2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.collect.recorder import PROPOSED, RECEIVED, TEACHER_LABEL
from experiments.datasets.expert_data import ExpertData
from policies.l2_goal import BUCKET_STARTS, N_BUCKETS, P_BUY, P_SELL, Q_BUY, Q_SELL, GoalCodec


@dataclass(frozen=True)
class L2LabelConfig:
    horizon: int = 40
    shortfall_weight: float = 1.0
    intent_weight: float = 0.25
    spot_buy: float = 0.95
    spot_sell: float = 1.05
    source: str = "hindsight"  # or "stated" (see the module doc)

    def __post_init__(self) -> None:
        if self.source not in LABEL_SOURCES:
            raise ValueError(f"L2 label source must be one of {LABEL_SOURCES}, got {self.source!r}")


LABEL_SOURCES = ("hindsight", "stated")


def bucket_centres(horizon: int) -> np.ndarray:
    ends = np.append(BUCKET_STARTS[1:] - 1, horizon)
    return (BUCKET_STARTS + np.maximum(ends, BUCKET_STARTS)) / 2.0


def soft_buckets(delta: np.ndarray, horizon: int) -> np.ndarray:
    """(n, 4) weights summing to 1: linear interpolation between the two nearest bucket centres."""
    centres = bucket_centres(horizon)
    delta = np.clip(np.asarray(delta, dtype=np.float64), centres[0], centres[-1])
    upper = np.clip(np.searchsorted(centres, delta, side="right"), 1, N_BUCKETS - 1)
    lower = upper - 1
    share = (delta - centres[lower]) / (centres[upper] - centres[lower])
    weights = np.zeros((len(delta), N_BUCKETS))
    rows = np.arange(len(delta))
    weights[rows, lower] = 1.0 - share
    weights[rows, upper] += share
    return weights


def last_per_partner(rows: np.ndarray, partner: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Of the given event rows, the last one (highest step) for each partner."""
    if len(rows) == 0:
        return rows
    order = rows[np.lexsort((step[rows], partner[rows]))]
    last = np.append(partner[order][1:] != partner[order][:-1], True)
    return order[last]


def reconstruct_l2_goals(
    data: ExpertData, config: L2LabelConfig | None = None
) -> dict[str, np.ndarray]:
    """Returns ``goal`` (n_days, 4, 4) physical, L3's goal input, with ``encoded`` (n_days, 16)
    its :class:`GoalCodec` normalization, and L2's label ``target`` (n_days, 16, normalized) with
    ``mask`` (n_days, 16): 1 where the side is negotiable and the day has a label. ``target``
    equals ``encoded`` except on the days whose stated label differs from L3's input."""
    c = config or L2LabelConfig()
    codec = GoalCodec(c.horizon)
    n = data.n_days
    goal = np.zeros((n, N_BUCKETS, 4))
    target = np.zeros((n, 16), dtype=np.float32)
    encoded = np.zeros((n, 16), dtype=np.float32)
    mask = np.zeros((n, 16), dtype=np.float32)
    deal_row = data.day_row(data["deal_world"], data["deal_agent"], data["deal_signed_day"])
    played = np.flatnonzero(data["event_source"] != TEACHER_LABEL)
    event_row = np.full(len(data["event_day"]), -1)
    event_row[played] = data.day_row(
        data["event_world"][played], data["event_agent"][played], data["event_day"][played]
    )
    learner_days = data["world_teacher"][data["day_world"]] != ""
    deals_of = group_rows(deal_row, n)
    events_of = group_rows(event_row, n)
    for r in range(n):
        day = data["day_day"][r]
        prices = (data["day_price_in"][r], data["day_price_out"][r])
        needs = (max(0, data["day_needed_supplies"][r]), max(0, data["day_needed_sales"][r]))
        for side, (q_col, p_col, spot) in enumerate(
            ((Q_BUY, P_BUY, c.spot_buy), (Q_SELL, P_SELL, c.spot_sell))
        ):
            is_buy = side == 0
            deals = deals_of[r][data["deal_is_buy"][deals_of[r]] == is_buy]
            w = (
                soft_buckets(data["deal_delivery_day"][deals] - day, c.horizon)
                * data["deal_quantity"][deals, None]
            )
            quantity = w.sum(axis=0)
            vwap_money = (w * data["deal_unit_price"][deals, None]).sum(axis=0)
            events = events_of[r][data["event_is_buy"][events_of[r]] == is_buy]
            live = np.concatenate(
                [
                    last_per_partner(
                        events[data["event_kind"][events] == kind],
                        data["event_partner"],
                        data["event_step"],
                    )
                    for kind in (PROPOSED, RECEIVED)
                ]
            )
            live_w = (
                soft_buckets(data["event_delivery_day"][live] - day, c.horizon)
                * data["event_quantity"][live, None]
            )
            live_money = (live_w * data["event_unit_price"][live, None]).sum(axis=0)
            dealt = {
                (data["deal_partner"][k], data["deal_quantity"][k], data["deal_delivery_day"][k])
                for k in deals
            }
            intents = [
                k
                for k in live
                if data["event_kind"][k] == PROPOSED
                and (
                    data["event_partner"][k],
                    data["event_quantity"][k],
                    data["event_delivery_day"][k],
                )
                not in dealt
            ]
            intent_w = (
                soft_buckets(data["event_delivery_day"][intents] - day, c.horizon)
                * data["event_quantity"][intents, None]
            )
            quantity = quantity + c.intent_weight * intent_w.sum(axis=0)
            quantity[0] += c.shortfall_weight * max(0.0, needs[side] - w.sum(axis=0)[0])
            price = np.where(
                w.sum(axis=0) > 0,
                vwap_money / np.maximum(w.sum(axis=0), 1e-12),
                np.where(
                    live_w.sum(axis=0) > 0,
                    live_money / np.maximum(live_w.sum(axis=0), 1e-12),
                    spot * prices[side],
                ),
            )
            negotiable = bool(data["day_x_role"][r, side] > 0.5)
            goal[r, :, q_col] = quantity if negotiable else 0.0
            goal[r, :, p_col] = price if negotiable else 0.0
            mask[
                r,
                [b * 4 + q_col for b in range(N_BUCKETS)]
                + [b * 4 + p_col for b in range(N_BUCKETS)],
            ] = float(negotiable)
        n_lines = float(data["day_shield_n_lines"][r])
        sides = mask[r, :4] > 0  # the negotiable sides' columns (bucket 0's mask)
        if c.source == "stated":
            stated = data["day_teacher_goal" if learner_days[r] else "day_goal"][r]
            label = stated * sides if np.isfinite(stated).all() else None
            if not learner_days[r] and label is not None:
                goal[r] = label
        else:
            label = None if learner_days[r] else goal[r]
        if learner_days[r]:
            # the learner's own goal
            goal[r] = np.nan_to_num(data["day_goal"][r]) * sides
        encoded[r] = codec.encode(goal[r], n_lines, *prices) * mask[r]
        if label is None:
            target[r] = encoded[r]
            mask[r] = 0.0
        else:
            target[r] = codec.encode(label, n_lines, *prices) * mask[r]
    return {"goal": goal, "encoded": encoded, "target": target, "mask": mask}


def group_rows(owner: np.ndarray, n: int) -> list[np.ndarray]:
    """Row indices grouped by owner index (-1 owners dropped), one array per owner 0..n-1."""
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(n + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n)]
