"""RLlib callback: each episode's final SCML score (``info["score"]``) as ``final_score``."""

from __future__ import annotations

from typing import Any

from ray.rllib.callbacks.callbacks import RLlibCallback


class ScoreCallback(RLlibCallback):
    def on_episode_end(self, *, episode: Any, metrics_logger: Any = None, **kwargs: Any) -> None:
        info = episode.get_infos(-1)
        if metrics_logger is not None and isinstance(info, dict) and "score" in info:
            metrics_logger.log_value("final_score", float(info["score"]), reduce="mean")
