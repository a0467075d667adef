"""RLlib callback: each episode's final SCML score, and in self-play the league's results.

Single agent: ``final_score`` (``info["score"]`` at the end) and ``final_score/<position>`` (the
learner's position that episode: with ``world.learner_process_choices`` it changes from episode
to episode, and the positions' scores differ a lot); with the daily env's twin baseline also
``final_score_over_twin``, the final score minus the twin world's (the start's own goals in the
same seeded world: the episode's paired gain over the start). Multi-agent (the parallel env):
``final_score`` is the learners' mean final score; ``league/<member>/{games,wins,margin}`` count
the episode for the member that filled the opponent slots: a win when the learners' mean score
beat the opponents' mean, the margin the difference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ray.rllib.callbacks.callbacks import RLlibCallback


class ScoreCallback(RLlibCallback):
    def on_episode_end(self, *, episode: Any, metrics_logger: Any = None, **kwargs: Any) -> None:
        if metrics_logger is None:
            return
        infos = episode.get_infos(-1)
        if isinstance(infos, dict) and "score" in infos:
            metrics_logger.log_value("final_score", float(infos["score"]), reduce="mean")
            if "position" in infos:
                metrics_logger.log_value(
                    ("final_score_by_position", infos["position"]),
                    float(infos["score"]),
                    reduce="mean",
                )
            if "twin_score" in infos:
                metrics_logger.log_value(
                    "final_score_over_twin",
                    float(infos["score"]) - float(infos["twin_score"]),
                    reduce="mean",
                )
            return
        finals = [i for i in (infos or {}).values() if isinstance(i, dict) and "score" in i]
        if not finals:
            return
        learners = float(np.mean([i["score"] for i in finals]))
        opponents = float(finals[0]["opponent_score"])
        metrics_logger.log_value("final_score", learners, reduce="mean")
        member = finals[0]["opponents"][0]
        metrics_logger.log_value(("league", member, "games"), 1, reduce="sum")
        metrics_logger.log_value(
            ("league", member, "wins"), int(learners > opponents), reduce="sum"
        )
        metrics_logger.log_value(("league", member, "margin"), learners - opponents, reduce="sum")
