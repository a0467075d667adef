"""Play an exported agent at every supply-chain level and count its fallbacks and crashes.

    python -m experiments.export.check <export dir> [--worlds-per-level 2] [--n-steps 50]

Prints one JSON line: per level the mean score, fallbacks per decision kind, decisions, and
worlds in which the agent raised (the world itself would carry on; here it is counted).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from policies.hrl.exported import load_agent_class, read_export


def check(path: str, worlds_per_level: int, n_steps: int, opponents: list[str]) -> dict:
    agent_class = load_agent_class(path)
    horizon = int(read_export(Path(path).resolve())["horizon"])
    report = {}
    with tempfile.TemporaryDirectory(prefix="hrlxf-check-") as logs:
        for level in (0, 1, 2):
            scores, fallbacks, decisions, crashes = [], Counter(), Counter(), 0
            for k in range(worlds_per_level):
                config = WorldConfig(
                    n_steps=n_steps, learner_process=level, opponents=opponents, log_dir=logs
                )
                session = WorldSession(
                    config,
                    agent_class,
                    seed=1000 * level + k,
                    horizon=horizon,
                )
                try:
                    while not session.done:
                        session.step_day()
                except Exception:  # noqa: BLE001 - counted, the check goes on
                    crashes += 1
                    continue
                agent = session.agent(session.learner_ids[0])
                scores.append(session.scores()[session.learner_ids[0]])
                fallbacks.update(agent.fallbacks)
                decisions.update(agent.decisions)
            report[f"level{level}"] = {
                "mean_score": sum(scores) / max(len(scores), 1),
                "fallbacks": dict(fallbacks),
                "decisions": dict(decisions),
                "crashed_worlds": crashes,
            }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export")
    parser.add_argument("--worlds-per-level", type=int, default=2)
    parser.add_argument("--n-steps", type=int, default=50)
    parser.add_argument(
        "--opponents", nargs="+", default=["PenguinAgent", "GreedyStdAgent", "HeuristicStdAgent"]
    )
    args = parser.parse_args()
    print(json.dumps(check(args.export, args.worlds_per_level, args.n_steps, args.opponents)))


if __name__ == "__main__":
    main()
