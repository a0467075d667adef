"""TensorBoard HParams of a run: its command-line overrides against its scalar metrics.

Every entry point logs them with its metrics (``run_context.write_metrics``), so the jobs of a
Hydra multirun or of an Optuna sweep line up in TensorBoard's HParams tab.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

HPARAMS_DIR = "hparams"  # beside the run's tensorboard/ folder: curves tools read only that one
_UNSAFE = re.compile(r"[^A-Za-z0-9_./-]")


def task_overrides() -> list[str]:
    """The run's own Hydra overrides (``key=value``), empty outside Hydra."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return list(HydraConfig.get().overrides.task)
    except ValueError:
        return []


def scalar(value: Any) -> int | float | str | bool:
    return value if isinstance(value, int | float | str | bool) else str(value)


def parse_overrides(overrides: list[str]) -> dict[str, Any]:
    """``key=value`` overrides as typed values (``+``/``~`` prefixes and hydra.* keys dropped)."""
    out = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.lstrip("+~")
        if not sep or key.startswith("hydra.") or key.startswith("hydra/"):
            continue
        try:
            out[key] = scalar(yaml.safe_load(value))
        except yaml.YAMLError:
            out[key] = value
    return out


def flat_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a metrics dict, with dotted keys (lists are skipped)."""
    out: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flat_metrics(value, f"{name}.")
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float) and value == value:  # drop NaN
            out[name] = float(value)
    return out


def log_hparams(out: Path, metrics: dict[str, Any], overrides: list[str] | None = None) -> None:
    """Write the HParams record of a run into ``out/hparams`` (nothing without overrides or
    numeric metrics); ``tensorboard --logdir`` over the sweep shows every job in one table."""
    params = parse_overrides(task_overrides() if overrides is None else overrides)
    values = {f"eval/{_UNSAFE.sub('_', k)}": v for k, v in flat_metrics(metrics).items()}
    if not params or not values:
        return
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(Path(out) / HPARAMS_DIR)) as writer:
        writer.add_hparams(params, values, run_name=".")
