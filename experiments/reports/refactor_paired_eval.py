"""Reproduce refactor_before_after.json (issue 10): one export in the learner slot of fixed seeded
50-day worlds at every level, against PenguinAgent, GreedyStdAgent, AS0 and HeuristicStdAgent.

Run it once from a checkout of the old code and once from the new, each on its own export of the
same dataset and seeds (PYTHONPATH=<checkout> PYTHONHASHSEED=0):

    python experiments/reports/refactor_paired_eval.py <export dir> 8 scores.json

Worlds are paired by (seed, level); only names both code versions have are used.
"""

import json
import sys
import tempfile
from pathlib import Path

from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from policies.hrl.exported import load_agent_class

OPPONENTS = ["PenguinAgent", "GreedyStdAgent", "AS0", "HeuristicStdAgent"]


def main(export: str, seeds: int, out: str) -> None:
    horizon = int(json.loads((Path(export) / "export.json").read_text())["horizon"])
    agent_class = load_agent_class(export)
    rows = []
    with tempfile.TemporaryDirectory() as logs:
        for seed in range(seeds):
            for level in (0, 1, 2):
                config = WorldConfig(
                    n_steps=50, learner_process=level, opponents=OPPONENTS, log_dir=logs
                )
                session = WorldSession(config, agent_class, seed=10_000 + seed, horizon=horizon)
                while not session.done:
                    session.step_day()
                agent = session.agent(session.learner_ids[0])
                score = session.scores()[session.learner_ids[0]]
                rows.append(
                    {
                        "seed": seed,
                        "level": level,
                        "score": score,
                        "fallbacks": agent.fallback_count,
                    }
                )
                print(rows[-1], flush=True)
    Path(out).write_text(json.dumps(rows))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
