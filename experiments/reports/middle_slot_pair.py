"""Paired check of heuristic variants in one factory slot, every other factory unchanged.

Per configuration (seeded, 50-200 days) the same world runs once per variant with the variant
in the first factory of ``--level``; the other factories hold the 2024-2025 winners (and
GreedyStdAgent at the outer levels). The difference to the first variant is paired by
configuration, so it measures the variant and not the factory or the lineup. Used by
``middle_level_stock_pricing.md``:

    PYTHONHASHSEED=0 .venv/bin/python -m experiments.reports.middle_slot_pair \
        --configs 8 --level 1 --variants old,new
"""

from __future__ import annotations

import argparse
import json
import random
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from baselines.heuristic.agent import HeuristicStdAgent
from envs.scml.consumed_stock_world import world_class
from envs.scml.opponents import resolve_agent
from experiments.tournament.balanced import trade_stats


class HeuristicPricedFromInput(HeuristicStdAgent):
    """The heuristic before ``stock_priced_sales``: middle sales keep the input price's floor."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, stock_priced_sales=False, **kwargs)


class HeuristicFullLines(HeuristicStdAgent):
    """The heuristic planning sales (and the stock) for every line, as AS0 does under scml's
    accounting (its sales need is min(n_lines, 0.7 n_lines + raw stock))."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, production_target=1.0, **kwargs)


VARIANTS = {
    "old": HeuristicPricedFromInput,
    "new": HeuristicStdAgent,
    "full_lines": HeuristicFullLines,
    "AS0": resolve_agent("AS0"),  # a winner in the slot: how far the variants are from it
}
WINNERS = ["AS0", "PenguinAgent", "XenoSotaAgent"]
OUTER = [*WINNERS, "GreedyStdAgent"]


def winners_world(
    config: int, agent: type, level: int, accounting: str, log_folder: str
) -> tuple[Any, str]:
    """Configuration ``config``'s world (seeded, 50-200 days) with ``agent`` in the first factory
    of ``level`` and the winners' lineup elsewhere; returns the world and that factory's id."""
    rng = np.random.default_rng([7, config])
    seed, n_steps = int(rng.integers(0, 2**31 - 1)), int(rng.integers(50, 201))
    lineups: list[list[Any]] = [list(OUTER), list(WINNERS), list(OUTER)]
    lineups[level] = [agent, *(WINNERS if level == 1 else OUTER[:3])]
    types = [resolve_agent(a) for lineup in lineups for a in lineup]  # names or classes
    processes = [lv for lv, lineup in enumerate(lineups) for _ in lineup]
    world_type = world_class(accounting)
    random.seed(seed)
    np.random.seed(seed)
    config_kwargs = world_type.generate(
        agent_types=types,
        agent_processes=processes,
        n_processes=len(lineups),
        n_steps=n_steps,
        random_agent_types=False,
    )
    world = world_type(
        **config_kwargs,
        no_logs=True,
        saved_details_level=0,
        log_folder=log_folder,
        name=Path(log_folder).name,
    )
    return world, list(world.agents)[processes.index(level)]


def play(job: tuple[int, str, int, str, str]) -> dict[str, Any]:
    config, variant, level, accounting, log_root = job
    log_folder = str(Path(log_root) / f"c{config}-{variant}")
    world, agent_id = winners_world(config, VARIANTS[variant], level, accounting, log_folder)
    world.run()
    return {
        "config": config,
        "variant": variant,
        "n_steps": world.n_steps,
        "score": float(world.scores()[agent_id]),
        **trade_stats(world, [agent_id])[agent_id],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=8)
    parser.add_argument("--level", type=int, default=1)
    parser.add_argument("--accounting", default="scml")
    parser.add_argument("--variants", default="old,new")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--log-dir", default="runs/middle_slot_pair")
    args = parser.parse_args()
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or len(variants) < 2:
        parser.error(f"--variants: two or more of {list(VARIANTS)}, got {args.variants!r}")
    jobs = [
        (c, v, args.level, args.accounting, args.log_dir)
        for c in range(args.configs)
        for v in variants
    ]
    with Pool(args.processes) as pool:
        rows = pool.map(play, jobs, chunksize=1)
    base = {r["config"]: r["score"] for r in rows if r["variant"] == variants[0]}
    summary: dict[str, Any] = {}
    for variant in variants:
        mine = [r for r in rows if r["variant"] == variant]
        diff = np.array([r["score"] - base[r["config"]] for r in mine])
        summary[variant] = {
            "score": float(np.mean([r["score"] for r in mine])),
            "diff_to_first": float(diff.mean()),
            "diff_half_width": float(1.96 * diff.std(ddof=1) / np.sqrt(len(diff))),
            **{k: float(np.mean([r[k] for r in mine])) for k in ("sold", "sell_price")},
        }
    print(json.dumps({"rows": rows, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
