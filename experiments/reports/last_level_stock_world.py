"""One scml-accounting world read at its last level (heuristic_stock_top_up.md): each last-level
factory's score, what it bought and when, and its raw stock over the first days.

    PYTHONHASHSEED=0 .venv/bin/python -m experiments.reports.last_level_stock_world 3 80  # seed, days
"""

import random
import sys
import tempfile

import numpy as np

from envs.scml.consumed_stock_world import world_class
from envs.scml.opponents import resolve_agent

LEVELS = [
    ["AS0", "XenoSotaAgent", "GreedyStdAgent", "GreedyStdAgent"],
    ["PenguinAgent", "AS0", "GreedyStdAgent", "GreedyStdAgent"],
    ["HeuristicStdAgent", "PenguinAgent", "GreedyStdAgent", "GreedyStdAgent"],
]
SYSTEM = ("SELLER", "BUYER")


def main(seed: int, n_steps: int) -> None:
    world_type = world_class("scml")
    random.seed(seed)
    np.random.seed(seed)
    config = world_type.generate(
        agent_types=[resolve_agent(name) for level in LEVELS for name in level],
        agent_processes=[i for i, level in enumerate(LEVELS) for _ in level],
        n_processes=len(LEVELS),
        n_steps=n_steps,
        random_agent_types=False,
    )
    with tempfile.TemporaryDirectory() as logs:
        world = world_type(
            **config, no_logs=True, saved_details_level=0, log_folder=logs, name="last-level"
        )
        world.run()
    ids = list(world.agents)[: sum(map(len, LEVELS))]
    scores = world.scores()
    for agent_id, name in zip(ids[-len(LEVELS[-1]) :], LEVELS[-1], strict=True):
        bought = [
            (c["signed_at"], int(c["quantity"]))
            for c in world.saved_contracts
            if c["buyer_name"] == agent_id
            and c["seller_name"] not in SYSTEM
            and c.get("signed_at", -1) >= 0
        ]
        stock = np.asarray(world.stats[f"inventory_input_{agent_id}"], dtype=int)
        print(
            f"{name}: score {scores[agent_id]:.3f}, bought {sum(q for _, q in bought)} units in "
            f"{len(bought)} contracts, shortfall "
            f"{int(np.sum(world.stats[f'shortfall_quantity_{agent_id}']))} units"
        )
        print(f"  (day signed, units): {bought[:30]}")
        print(f"  raw stock, first 30 days: {stock[:30].tolist()}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
