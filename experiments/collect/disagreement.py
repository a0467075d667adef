"""Where a DAgger learner departs from its teacher, from the rounds of a DAgger collection.

    python -m experiments.collect.disagreement dataset=<DAgger dataset dir>

A DAgger dataset (experiments.collect.dagger) holds, for every round the learner met, what the
learner did (``LEARNER_PLAY`` rows) and what its teacher answered on the same snapshot
(``TEACHER_LABEL`` rows), and per day the learner's goal and the teacher's goal at the learner's
dawn. Per level and side (buying, selling) this reads:

- *answers*: of the partners' offers both answered, a 3 x 3 count of the learner's answer
  (accept, counter, end) against the teacher's;
- *counters*: where both countered, the learner's unit price minus the teacher's (in units of
  the thread's price range, so sides and worlds compare) and quantity minus the teacher's;
- *openings*: the same for first proposals both sent;
- *goals*: the daily goal's quantity over all delivery buckets and its mean limit price, the
  learner's and the teacher's, on the days the factory can trade that side.

A lower learner quantity in counters where both goals differ points at L2 (the shield caps a
counter at what the day's goal still wants); the same goals with different counters point at
L3/L4. Writes ``disagreement.md`` and ``disagreement.json`` into the dataset directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from negmas import ResponseType
from omegaconf import DictConfig

from experiments.collect.expert_table import LEVEL_NAMES
from experiments.collect.recorder import (
    LEARNER_PLAY,
    PROPOSED,
    RECEIVED,
    RESPONSE_CODES,
    TEACHER_LABEL,
)
from experiments.collect.shards import MANIFEST, read_shard
from experiments.common.run_context import write_table
from experiments.schemas import register_schemas
from policies.l2_goal import P_BUY, P_SELL, Q_BUY, Q_SELL

ANSWERS = ("accept", "counter", "end")  # in the order of the recorder's response codes
COUNTER = RESPONSE_CODES[ResponseType.REJECT_OFFER]
SIDES = {True: "buy", False: "sell"}


def _rows(events: dict[str, np.ndarray]) -> dict[tuple, int]:
    """Row index by (agent, day, partner, step, kind, source): one thread makes at most one
    proposal and answers at most one offer per step."""
    keys = zip(
        *(events[c].tolist() for c in ("agent", "day", "partner", "step", "kind", "source")),
        strict=True,
    )
    return {key: i for i, key in enumerate(keys)}


class _Side:
    """Running sums of one (level, side)."""

    def __init__(self) -> None:
        self.answers = np.zeros((3, 3), dtype=np.int64)
        self.unmatched = 0  # teacher answers to an offer the learner's rows do not hold
        self.diffs: dict[str, dict[str, list[float]]] = {
            "counters": {"price": [], "quantity": []},
            "openings": {"price": [], "quantity": []},
        }
        # per day the factory trades this side: (goal quantity over all buckets, mean limit)
        self.goals: dict[str, list[np.ndarray]] = {"learner": [], "teacher": []}

    def summary(self) -> dict[str, Any]:
        n = int(self.answers.sum())
        diag = int(np.trace(self.answers))
        out: dict[str, Any] = {
            "answers": {
                "n": n,
                "unmatched": self.unmatched,
                "agreement": diag / n if n else None,
                "learner_rates": (self.answers.sum(1) / n).tolist() if n else None,
                "teacher_rates": (self.answers.sum(0) / n).tolist() if n else None,
                "counts": self.answers.tolist(),  # rows: the learner's answer, columns: the teacher's
            }
        }
        for name, d in self.diffs.items():
            price, quantity = np.asarray(d["price"]), np.asarray(d["quantity"])
            out[name] = {
                "n": len(price),
                "price_diff": float(price.mean()) if len(price) else None,
                "quantity_diff": float(quantity.mean()) if len(quantity) else None,
                "learner_fewer_units": float(np.mean(quantity < 0)) if len(quantity) else None,
                "learner_more_units": float(np.mean(quantity > 0)) if len(quantity) else None,
            }
        out["goals"] = {}
        for who, parts in self.goals.items():
            days = np.concatenate(parts) if parts else np.empty((0, 2))
            out["goals"][who] = {
                "days": len(days),
                "quantity": float(days[:, 0].mean()) if len(days) else None,
                "limit_price": float(days[:, 1].mean()) if len(days) else None,
            }
        return out


def _goal_side(goals: np.ndarray, buying: bool) -> np.ndarray:
    """(D, 2): per (4, 4) goal of ``goals`` (D, 4, 4), one side's quantity over all buckets and
    its mean limit price over buckets."""
    q, p = (Q_BUY, P_BUY) if buying else (Q_SELL, P_SELL)
    return np.stack([goals[:, :, q].sum(axis=1), goals[:, :, p].mean(axis=1)], axis=1)


def _add_shard(
    sides: dict[tuple[int, str], _Side], data: dict[str, np.ndarray], level: int
) -> None:
    events = {k[len("event_") :]: v for k, v in data.items() if k.startswith("event_")}
    rows = _rows(events)
    for key, t in rows.items():
        agent, day, partner, step, kind, source = key
        if source != TEACHER_LABEL:
            continue
        side = sides.setdefault((level, SIDES[bool(events["is_buy"][t])]), _Side())
        thread = (agent, day, partner, step)
        learner_answer = rows.get((*thread, RECEIVED, LEARNER_PLAY))
        if kind == RECEIVED:
            if learner_answer is None:
                side.unmatched += 1
                continue
            ours, theirs = int(events["response"][learner_answer]), int(events["response"][t])
            side.answers[ours, theirs] += 1
            if ours != COUNTER or theirs != COUNTER:
                continue
            group = "counters"
        elif (*thread, RECEIVED, TEACHER_LABEL) in rows:
            continue  # the teacher's counter: compared with its answer above
        else:
            group = "openings"
        learner = rows.get((*thread, PROPOSED, LEARNER_PLAY))
        teacher = rows.get((*thread, PROPOSED, TEACHER_LABEL)) if group == "counters" else t
        if learner is None or teacher is None:
            continue
        span = max(float(events["p_max"][t] - events["p_min"][t]), 1.0)
        diffs = side.diffs[group]
        diffs["price"].append(
            float(events["unit_price"][learner] - events["unit_price"][teacher]) / span
        )
        diffs["quantity"].append(float(events["quantity"][learner] - events["quantity"][teacher]))
    if "day_teacher_goal" not in data:
        return
    for column, buying in enumerate((True, False)):  # x_role: (can buy, can sell)
        trading = data["day_x_role"][:, column] > 0
        if not trading.any():
            continue
        side = sides.setdefault((level, SIDES[buying]), _Side())
        side.goals["learner"].append(_goal_side(data["day_goal"][trading], buying))
        side.goals["teacher"].append(_goal_side(data["day_teacher_goal"][trading], buying))


def disagreement(dataset: Path) -> dict[str, Any]:
    """Per (level, side) the summary described in the module docstring, as
    ``{"rows": [{"level", "side", ...}]}``."""
    path = Path(dataset) / MANIFEST
    if not path.exists():
        raise ValueError(f"{dataset} is not a collected dataset (no {MANIFEST})")
    sides: dict[tuple[int, str], _Side] = {}
    labelled = 0
    for name, shard in json.loads(path.read_text())["shards"].items():
        data = read_shard(Path(dataset) / name)
        labelled += int(np.sum(data["event_source"] == TEACHER_LABEL))
        _add_shard(sides, data, int(shard["level"]))
    if not labelled:
        raise ValueError(
            f"{dataset} has no teacher labels: it is an expert's own play, not a DAgger collection"
        )
    return {
        "rows": [
            {"level": level, "side": side, **sides[level, side].summary()}
            for level, side in sorted(sides)
        ]
    }


def _num(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def markdown(table: dict[str, Any]) -> str:
    lines = [
        "| level | side | answers | agree | accept L/T | end L/T | counters: price, units "
        "(L - T) | openings: price, units (L - T) | goal units L/T | goal price L/T |",
        "|---|---|---:|---:|---|---|---|---|---|---|",
    ]
    for r in table["rows"]:
        a, g = r["answers"], r["goals"]
        rates = (a["learner_rates"], a["teacher_rates"])
        accept = "-" if rates[0] is None else f"{rates[0][0]:.2f} / {rates[1][0]:.2f}"
        end = "-" if rates[0] is None else f"{rates[0][2]:.2f} / {rates[1][2]:.2f}"
        moves = [
            f"{_num(r[k]['price_diff'], '+.3f')}, {_num(r[k]['quantity_diff'], '+.2f')} "
            f"(n={r[k]['n']})"
            for k in ("counters", "openings")
        ]
        lines.append(
            f"| {LEVEL_NAMES.get(r['level'], r['level'])} | {r['side']} | {a['n']} | "
            f"{_num(a['agreement'], '.3f')} | {accept} | {end} | {moves[0]} | {moves[1]} | "
            f"{_num(g['learner']['quantity'], '.1f')} / {_num(g['teacher']['quantity'], '.1f')} | "
            f"{_num(g['learner']['limit_price'], '.2f')} / "
            f"{_num(g['teacher']['limit_price'], '.2f')} |"
        )
    return "\n".join(lines) + "\n"


def run(cfg: DictConfig) -> dict[str, Any]:
    dataset = Path(cfg.dataset)
    table = disagreement(dataset)
    text = markdown(table)
    write_table(dataset, "disagreement", table, text)
    return table


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="disagreement")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
