"""Score a saved bundle in the same seeded worlds as another: a cheap paired check of a stage.

This is the stage's own before/after number, logged as ``eval/score``; whether a stage improved
on its predecessor is decided by the position-balanced tournament (experiments.tournament).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from envs.scml.config import world_config
from envs.scml.daily_control import executor_params
from envs.scml.session import WorldSession
from policies.decision.agent import ExecutorStdAgent


def executor_spec(bundle_dir: str | Path) -> dict[str, str]:
    """The executor spec of a saved bundle (picklable: Ray workers load it themselves)."""
    return {
        "_target_": "policies.hrl.executor:learned_executor",
        "directory": str(Path(bundle_dir).resolve()),
    }


def world_at_level(world: dict, level: int) -> dict:
    """``world`` with its single learner fixed at ``level`` (no per-episode draw)."""
    return {**world, "learner_process": level, "learner_process_choices": None}


def bundle_scores(
    bundle_dir: str | Path, world: dict, horizon: int, seeds: list[int]
) -> np.ndarray:
    """Final score of the bundle's factory in each seeded world, the bundle deciding everything
    (with ``learner_process_choices`` each world's seed also draws the bundle's level)."""
    params = executor_params(executor_spec(bundle_dir), horizon)
    scores = []
    for seed in seeds:
        config = world_config(world).for_episode(np.random.default_rng(seed))
        session = WorldSession(config, ExecutorStdAgent, seed, horizon, learner_params=params)
        learner = session.learner_ids[0]
        while not session.done:
            session.step_day()
        scores.append(session.view(learner).score)
    return np.array(scores)
