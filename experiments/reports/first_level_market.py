"""When does the first level's market close? Per world: the days its product still trades.

Under scml 0.8.4's accounting production never takes raw stock out again, so a middle factory
that has bought a stock once can make product from it every day without buying again. The
first level's buyers are those middle factories, so its market can close for good within days
while its exogenous supply keeps arriving and pays storage every remaining day. This report plays
``middle_slot_pair``'s seeded winners' worlds (HeuristicStdAgent in the first factory of the
first level) under each accounting and prints, per world, how many units of the first level's
product traded in each quarter of the world, the last day it traded, and each first-level
factory's score, storage paid and raw stock at the end. Used by
``first_level_market.md``:

    PYTHONHASHSEED=0 .venv/bin/python -m experiments.reports.first_level_market --configs 6
"""

from __future__ import annotations

import argparse
import json
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from baselines.heuristic.agent import HeuristicStdAgent
from experiments.reports.middle_slot_pair import winners_world

FIRST_PRODUCT = 1  # product 0 is the first level's exogenous raw material


def play(job: tuple[int, str, str]) -> dict[str, Any]:
    config, accounting, log_root = job
    log_folder = str(Path(log_root) / f"c{config}-{accounting}")
    world, _ = winners_world(config, HeuristicStdAgent, 0, accounting, log_folder)
    world.run()
    traded = np.asarray(world.stats[f"sold_quantity_{FIRST_PRODUCT}"], dtype=float)
    days = np.flatnonzero(traded > 0)
    first_level = [a for a, p in world.agent_profiles.items() if p.input_product == 0]
    scores = world.scores()
    return {
        "config": config,
        "accounting": accounting,
        "n_steps": world.n_steps,
        "traded_by_quarter": [float(q.sum()) for q in np.array_split(traded, 4)],
        "last_trade_day": int(days[-1]) if len(days) else -1,
        "first_level": {
            a: {
                "score": round(float(scores[a]), 3),
                "storage_paid": round(float(np.sum(world.stats[f"storage_cost_{a}"])), 1),
                "raw_stock_at_end": int(world.stats[f"inventory_input_{a}"][-1]),
            }
            for a in first_level
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=6)
    parser.add_argument("--accountings", default="scml,consumed")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--log-dir", default="runs/first_level_market")
    args = parser.parse_args()
    accountings = args.accountings.split(",")
    unknown = [a for a in accountings if a not in ("scml", "consumed")]
    if unknown:
        parser.error(f"--accountings: scml and/or consumed, got {args.accountings!r}")
    jobs = [(c, a, args.log_dir) for c in range(args.configs) for a in accountings]
    with Pool(args.processes) as pool:
        rows = pool.map(play, jobs, chunksize=1)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
