"""Training tensors for the three layers from an expert dataset, split by world.

- L2: one sample per expert day: the observation, the goal label (v2 hindsight, or the
  expert's stated goal) and its mask, the day's reward-to-go (for AWR).
- L3 proposals: the day's goal label as prefix, the thread history, the context (side, offline
  L1 baseline, the partner's last offer), the time mask and labels (residual, time).
- L3 answers: the same inputs around a partner offer, with the operation label.
- L4: each set of partner offers answered in the same round, with the heuristic reservation's
  priorities as distillation targets (good offers first: relative gain against the day's goal
  price of the offer's bucket).
Every sample carries its day row, so AWR can weight it by that day's advantage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from experiments.datasets.expert_data import ExpertData
from experiments.datasets.l2_labels import L2LabelConfig, reconstruct_l2_goals
from experiments.datasets.l3_labels import L3LabelConfig, extract_l3_samples, round_groups
from policies.decision.contexts import goal_limit
from policies.decision.layouts import COORDINATOR_FEATURES

MAX_THREADS = 16
TEACHER_TEMPERATURE = 0.1


def split_worlds(n_worlds: int, val_fraction: float, seed: int) -> np.ndarray:
    """Bool (n_worlds,): True for validation worlds (at least one each side when possible)."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    if n_worlds < 2:
        raise ValueError(f"a train/validation split by world needs >= 2 worlds, got {n_worlds}")
    n_val = min(max(1, round(n_worlds * val_fraction)), n_worlds - 1)
    is_val = np.zeros(n_worlds, dtype=bool)
    is_val[np.random.default_rng(seed).permutation(n_worlds)[:n_val]] = True
    return is_val


@dataclass
class OfflineSamples:
    l2: dict[str, torch.Tensor]
    proposals: dict[str, torch.Tensor]
    answers: dict[str, torch.Tensor]
    coordination: dict[str, torch.Tensor]
    is_val_world: np.ndarray

    @classmethod
    def build(
        cls,
        data: ExpertData,
        horizon: int,
        history_length: int,
        val_fraction: float,
        seed: int,
        gamma: float,
        shaping: bool,
        l2_labels: str = "hindsight",
    ) -> OfflineSamples:
        """``l2_labels``: ``hindsight`` (what a day secured) or ``stated`` (the expert's stated
        goal), see :mod:`experiments.datasets.l2_labels`."""
        labels = reconstruct_l2_goals(data, L2LabelConfig(horizon=horizon, source=l2_labels))
        l3 = extract_l3_samples(
            data,
            labels["goal"],
            labels["encoded"],
            L3LabelConfig(horizon=horizon, history_length=history_length),
        )
        is_val_world = split_worlds(int(data["day_world"].max()) + 1, val_fraction, seed)
        rewards = data.daily_rewards(gamma, shaping)
        l2 = {
            "x_static": data["day_x_static"],
            "X_temporal": data["day_X_temporal"],
            "x_role": data["day_x_role"],
            "target": labels["target"],
            "mask": labels["mask"],
            # L3's goal prefix: the goal its context features were computed from (the learner's
            # own on a DAgger learner's day, whatever L2's label says; see with_goals).
            "l3_goal": labels["encoded"],
            "reward": rewards,
            "return": data.returns_to_go(rewards, gamma),
            "is_val": is_val_world[data["day_world"]],
        }
        proposals = {
            "day_row": l3["proposal_day_row"],
            "history": l3["proposal_history"],
            "history_valid": l3["proposal_history_valid"],
            "context": l3["proposal_context"],
            "time_mask": l3["proposal_time_mask"],
            "residual": l3["proposal_residual_normalized"],
            "time_label": l3["proposal_time_label"],
        }
        answers = {
            "day_row": l3["answer_day_row"],
            "history": l3["answer_history"],
            "history_valid": l3["answer_history_valid"],
            "context": l3["answer_context"],
            "operation": l3["answer_operation"],
        }
        for table in (proposals, answers):
            table["is_val"] = l2["is_val"][table["day_row"]]
        coordination = coordination_sets(data, l3, labels["goal"], horizon)
        coordination["is_val"] = l2["is_val"][coordination["day_row"]]
        as_tensor = lambda table: {k: torch.as_tensor(np.asarray(v)) for k, v in table.items()}  # noqa: E731
        return cls(
            as_tensor(l2),
            as_tensor(proposals),
            as_tensor(answers),
            as_tensor(coordination),
            is_val_world,
        )


def coordination_sets(
    data: ExpertData, l3: dict[str, np.ndarray], goals: np.ndarray, horizon: int
) -> dict[str, np.ndarray]:
    """Partner offers answered in the same round (the L4 rows the agent builds from them),
    padded to MAX_THREADS, with teacher weights: good offers first, by relative gain against the
    day's goal price of the offer's bucket."""
    events, rows = l3["answer_event"], l3["answer_day_row"]
    group = round_groups(data, events)
    features, deltas, valid, teacher, day_rows = [], [], [], [], []
    for g in range(group.max() + 1 if len(group) else 0):
        members = np.flatnonzero(group == g)[:MAX_THREADS]
        if len(members) < 2:  # one thread needs no coordination
            continue
        row = rows[members[0]]
        is_buy = l3["answer_is_buy"][members]
        event = events[members]
        delta = np.clip(data["event_delivery_day"][event] - data["event_day"][event], 0, horizon)
        price = data["event_unit_price"][event]
        reference = np.where(is_buy, data["day_price_in"][row], data["day_price_out"][row])
        limit = goal_limit(goals[row], delta, is_buy, reference)
        gain = np.where(is_buy, limit - price, price - limit) / np.maximum(limit, 1e-9)
        weights = np.exp((gain - gain.max()) / TEACHER_TEMPERATURE)
        pad = MAX_THREADS - len(members)
        features.append(np.pad(l3["answer_coordinator_rows"][members], ((0, pad), (0, 0))))
        deltas.append(np.pad(l3["answer_coordinator_delta"][members], (0, pad)))
        valid.append(np.pad(np.ones(len(members), dtype=bool), (0, pad)))
        teacher.append(np.pad(weights / weights.sum(), (0, pad)))
        day_rows.append(row)
    n, width = len(features), len(COORDINATOR_FEATURES)
    return {
        "threads": np.array(features, dtype=np.float32).reshape(n, MAX_THREADS, width),
        "delta": np.array(deltas, dtype=np.float32).reshape(n, MAX_THREADS),
        "valid": np.array(valid, dtype=bool).reshape(n, MAX_THREADS),
        "teacher": np.array(teacher, dtype=np.float32).reshape(n, MAX_THREADS),
        "day_row": np.array(day_rows, dtype=np.int64),
    }
