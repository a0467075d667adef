"""Which expert is best at which level, from a multi-expert collection.

    python -m experiments.collect 'expert=[HeuristicStdAgent,PenguinAgent,AS0]' n_worlds=36
    python -m experiments.collect.expert_table dataset=<dataset dir>

A multi-expert collection plays groups of worlds that share seed and level and differ only in
the expert, so experts are compared on the same worlds: per level, each expert's mean final
score (mean over its slots in a world, then over worlds) with a 95% t interval over worlds, and
its paired difference to the level's best expert over the seeds both played. Writes
``expert_table.md`` and ``expert_table.json`` into the dataset directory and prints the table;
the json's ``best`` ({level: expert}) is what ``experts_by_level`` of the offline stages takes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from omegaconf import DictConfig

from experiments.collect.shards import MANIFEST
from experiments.common.run_context import write_table
from experiments.common.tensorboard_curves import t_interval
from experiments.schemas import register_schemas

LEVEL_NAMES = {0: "first", 1: "middle", 2: "last"}


def world_scores(dataset: Path) -> dict[int, dict[str, dict[int, float]]]:
    """{level: {expert: {seed: mean final score of its slots}}} from the dataset's manifest."""
    path = Path(dataset) / MANIFEST
    if not path.exists():
        raise ValueError(f"{dataset} is not a collected dataset (no {MANIFEST})")
    scores: dict[int, dict[str, dict[int, float]]] = {}
    for shard in json.loads(path.read_text())["shards"].values():
        if shard.get("expert") is None or not shard.get("final_scores"):
            raise ValueError(
                f"{dataset}: shard {shard['shard']} has no expert/scores in the manifest; "
                "collect it again with this version"
            )
        by_seed = scores.setdefault(int(shard["level"]), {}).setdefault(shard["expert"], {})
        by_seed[int(shard["seed"])] = float(np.mean(shard["final_scores"]))
    return scores


def expert_table(dataset: Path) -> dict[str, Any]:
    """Rows per (level, expert) and the best expert per level (highest mean)."""
    return score_table(world_scores(dataset))


def score_table(scores: dict[int, dict[str, dict[int, float]]]) -> dict[str, Any]:
    """The table of :func:`expert_table` from {level: {agent: {seed: score}}} (agents compared
    on the seeds they share)."""
    rows, best = [], {}
    for level, experts in sorted(scores.items()):
        means = {e: np.mean(list(s.values())) for e, s in experts.items()}
        leader = max(means, key=means.get)
        best[level] = leader
        for expert, by_seed in sorted(experts.items(), key=lambda item: -means[item[0]]):
            shared = sorted(set(by_seed) & set(experts[leader]))
            diff = np.array([by_seed[s] - experts[leader][s] for s in shared])
            rows.append(
                {
                    "level": level,
                    "expert": expert,
                    "worlds": len(by_seed),
                    "score": t_interval(np.array(list(by_seed.values()))),
                    "vs_best": t_interval(diff) if expert != leader else None,
                    "paired_worlds": len(shared),
                }
            )
    return {"rows": rows, "best": best}


def fmt(ci: dict[str, float | None] | None) -> str:
    if ci is None:
        return "best"
    if ci["low"] is None:
        return f"{ci['mean']:+.3f}" if ci["mean"] is not None else "-"
    return f"{ci['mean']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"


def markdown(table: dict[str, Any]) -> str:
    lines = [
        "| level | expert | worlds | mean final score [95% t] | paired vs best [95% t] |",
        "|---|---|---:|---|---|",
    ]
    for r in table["rows"]:
        level = LEVEL_NAMES.get(r["level"], str(r["level"]))
        lines.append(
            f"| {level} | {r['expert']} | {r['worlds']} | {fmt(r['score'])} | {fmt(r['vs_best'])} |"
        )
    return "\n".join(lines) + "\n"


def run(cfg: DictConfig) -> dict[str, Any]:
    dataset = Path(cfg.dataset)
    table = expert_table(dataset)
    text = markdown(table)
    write_table(dataset, "expert_table", table, text)
    return table


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="expert_table")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
