"""Play an exported agent at every supply-chain level and count its fallbacks and crashes.

    python -m experiments.export.check export=<export dir> [worlds_per_level=2] [n_steps=50]

Prints one JSON line: per level the mean score, fallbacks per decision kind, decisions, worlds
in which the agent raised (the world itself would carry on; here it is counted), and the wall
seconds per simulated day of its worlds in scml's default (time-limited) mode, next to the same
worlds with ``reference`` (HeuristicStdAgent) in its place: speed is a ratio measured in one run.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import hydra
from omegaconf import DictConfig

from envs.scml.opponents import resolve_agent
from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from experiments.common.seeding import check_world_seed
from experiments.schemas import register_schemas
from policies.hrl.exported import load_agent_class, read_export


def check(
    path: str,
    worlds_per_level: int,
    n_steps: int,
    opponents: list[str],
    reference: str | None = "HeuristicStdAgent",
) -> dict:
    agent_class = load_agent_class(path)
    horizon = int(read_export(Path(path).resolve())["horizon"])
    report = {}
    with tempfile.TemporaryDirectory(prefix="hrlxf-check-") as logs:
        for level in (0, 1, 2):
            scores, fallbacks, decisions, crashes = [], Counter(), Counter(), 0
            seconds, reference_seconds, days = 0.0, 0.0, 0
            for k in range(worlds_per_level):
                config = WorldConfig(
                    n_steps=n_steps, learner_process=level, opponents=opponents, log_dir=logs
                )
                session = WorldSession(
                    config,
                    agent_class,
                    seed=check_world_seed(level, k),
                    horizon=horizon,
                )
                start = time.perf_counter()
                try:
                    while not session.done:
                        session.step_day()
                except Exception:  # noqa: BLE001 - counted, the check goes on
                    crashes += 1
                    continue
                seconds += time.perf_counter() - start
                days += n_steps
                if reference is not None:
                    reference_seconds += play_seconds(
                        config, resolve_agent(reference), check_world_seed(level, k), horizon
                    )
                agent = session.agent(session.learner_ids[0])
                scores.append(session.scores()[session.learner_ids[0]])
                fallbacks.update(agent.fallbacks)
                decisions.update(agent.decisions)
            report[f"level{level}"] = {
                "mean_score": sum(scores) / max(len(scores), 1),
                "fallbacks": dict(fallbacks),
                "decisions": dict(decisions),
                "crashed_worlds": crashes,
                "seconds_per_day": seconds / max(days, 1),
            }
            if reference is not None:
                report[f"level{level}"]["reference_seconds_per_day"] = reference_seconds / max(
                    days, 1
                )
    return report


def play_seconds(config: WorldConfig, agent_class: type, seed: int, horizon: int) -> float:
    """Wall seconds of one whole world with ``agent_class`` in the learner's place."""
    session = WorldSession(config, agent_class, seed=seed, horizon=horizon)
    start = time.perf_counter()
    while not session.done:
        session.step_day()
    return time.perf_counter() - start


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="export_check")
def main(cfg: DictConfig) -> None:
    report = check(
        cfg.export,
        cfg.worlds_per_level,
        cfg.n_steps,
        list(cfg.opponents),
        cfg.reference,
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
