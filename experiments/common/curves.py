"""The TensorBoard tag contract every trainer logs to, so that curves can be laid over each other.

- ``charts/episodic_return``, ``charts/SPS``, ``charts/learning_rate`` (and other ``charts/<name>``
  summaries of training such as ``charts/final_score``);
- ``losses/<name>`` for every optimised quantity (``losses/<module>/<name>`` per RLlib module);
- ``eval/<metric>`` for evaluations (validation metrics offline, greedy returns, tournaments).

The x-axis is environment steps; offline stages use training samples seen. ``CurveLogger``
refuses any other tag, writes ``charts/SPS`` from the steps it is given, and lays out a
TensorBoard custom-scalars page grouping the three families. SB3 and RLlib metrics are mapped
onto the contract here (``sb3_tag``, ``rllib_scalars``).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from torch.utils.tensorboard import SummaryWriter

FAMILIES = ("charts", "losses", "eval")
CORE = ("charts/episodic_return", "charts/SPS", "charts/learning_rate")
_TAG = re.compile(r"^(charts|losses|eval)/[A-Za-z0-9_./-]+$")
LAYOUT = {
    "charts": {
        "episodic return": ["Multiline", ["charts/episodic_return"]],
        "steps per second": ["Multiline", ["charts/SPS"]],
        "learning rate": ["Multiline", ["charts/learning_rate"]],
    },
    "losses": {"losses": ["Multiline", [r"losses/.*"]]},
    "eval": {"evaluation": ["Multiline", [r"eval/.*"]]},
}


def check_tag(tag: str) -> str:
    if not _TAG.match(tag):
        raise ValueError(
            f"tag {tag!r} is outside the contract: charts/<name>, losses/<name> or eval/<metric>"
        )
    return tag


class CurveLogger:
    """Scalars under the tag contract in ``log_dir``; call :meth:`steps` as the x-axis advances
    to get ``charts/SPS``. Usable as ``log(tag, value, step)`` and as a context manager."""

    def __init__(self, log_dir: str | Path) -> None:
        self.writer = SummaryWriter(str(log_dir))
        self.writer.add_custom_scalars(LAYOUT)
        self._start, self._first_step = time.perf_counter(), None

    def __call__(self, tag: str, value: float, step: int) -> None:
        self.writer.add_scalar(check_tag(tag), float(value), int(step))

    def steps(self, step: int) -> None:
        """Record throughput: steps since the first call per second of wall time."""
        if self._first_step is None:
            self._first_step, self._start = step, time.perf_counter()
            return
        elapsed = max(time.perf_counter() - self._start, 1e-9)
        self("charts/SPS", (step - self._first_step) / elapsed, step)

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> CurveLogger:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


SB3_RENAMES = {
    "rollout/ep_rew_mean": "charts/episodic_return",
    "rollout/ep_len_mean": "charts/episode_length",
    "time/fps": "charts/SPS",
    "train/learning_rate": "charts/learning_rate",
    "eval/mean_reward": "eval/episodic_return",
}


def sb3_tag(key: str) -> str | None:
    """The contract's tag for an SB3 logger key (None: not a curve, e.g. time/iterations)."""
    if key in SB3_RENAMES:
        return SB3_RENAMES[key]
    family, _, name = key.partition("/")
    if family == "train":
        return f"losses/{name.removesuffix('_loss')}"
    if family == "eval":
        return f"eval/{name}"
    return None


def rllib_scalars(result: dict[str, Any]) -> dict[str, float]:
    """The contract's curves of one RLlib ``algo.train()`` result."""
    runners, learners = result.get("env_runners", {}), result.get("learners", {})
    out: dict[str, float] = {}
    if "episode_return_mean" in runners:
        out["charts/episodic_return"] = float(runners["episode_return_mean"])
    for module, value in (runners.get("module_episode_returns_mean") or {}).items():
        out[f"charts/episodic_return/{module}"] = float(value)
    for module, stats in learners.items():
        if module.startswith("__"):
            continue
        for key in ("policy_loss", "vf_loss", "entropy", "mean_kl_loss", "vf_explained_var"):
            if key in stats:
                out[f"losses/{module}/{key.removesuffix('_loss')}"] = float(stats[key])
        if "default_optimizer_learning_rate" in stats:
            out["charts/learning_rate"] = float(stats["default_optimizer_learning_rate"])
    return out


def sb3_logger(log_dir: str | Path):
    """An SB3 ``Logger`` that writes its metrics under the contract (``model.set_logger(...)``)."""
    from stable_baselines3.common.logger import KVWriter, Logger

    class ContractFormat(KVWriter):
        def __init__(self) -> None:
            self.curves = CurveLogger(log_dir)

        def write(self, key_values: dict, key_excluded: dict, step: int = 0) -> None:
            for key, value in key_values.items():
                tag = sb3_tag(key)
                if tag is not None and isinstance(value, int | float):
                    self.curves(tag, value, step)

        def close(self) -> None:
            self.curves.close()

    return Logger(folder=None, output_formats=[ContractFormat()])


def logged_tags(log_dir: str | Path) -> set[str]:
    """Every scalar tag in the event files under ``log_dir``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tags: set[str] = set()
    for events in {p.parent for p in Path(log_dir).rglob("events.out.tfevents.*")}:
        accumulator = EventAccumulator(str(events), size_guidance={"scalars": 0})
        accumulator.Reload()
        tags |= set(accumulator.Tags()["scalars"])
    return tags


def check_run(log_dir: str | Path, required: tuple[str, ...] = ()) -> set[str]:
    """The run's tags, after checking that all follow the contract and ``required`` are there."""
    tags = logged_tags(log_dir)
    for tag in tags:
        check_tag(tag)
    missing = sorted(set(required) - tags)
    if missing:
        raise ValueError(f"{log_dir} lacks the contract's tags {missing}; has {sorted(tags)}")
    return tags
