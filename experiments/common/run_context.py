"""Prepare a Hydra run: thread limits, seeds, and a record of the config and code revision."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf


def run_dir() -> Path:
    """The current Hydra run's output directory (or ./runs/adhoc outside Hydra)."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return Path(HydraConfig.get().runtime.output_dir)
    except ValueError:
        path = Path("runs/adhoc")
        path.mkdir(parents=True, exist_ok=True)
        return path


def git_revision() -> str:
    root = os.environ.get("HRLXF_ROOT") or Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so no half-written file looks complete."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def write_table(folder: Path, stem: str, table: dict, text: str) -> None:
    """A table of a data folder as ``<stem>.md`` (``text``, also printed) and ``<stem>.json``."""
    write_atomic(Path(folder) / f"{stem}.md", text)
    write_atomic(Path(folder) / f"{stem}.json", json.dumps(table, indent=2))
    print(text)


def print_tensorboard_hint(out: Path) -> None:
    """Tell the user how to open the run's curves, if it wrote any."""
    if next(Path(out).rglob("events.out.tfevents.*"), None) is not None:
        print(f"curves: tensorboard --logdir {Path(out).resolve()}")


def write_metrics(out: Path, metrics: dict, name: str = "metrics.json") -> dict:
    """Write a run's metrics JSON (atomically), its TensorBoard HParams (overrides against
    metrics), and print it as the last line of output (after the TensorBoard command)."""
    from experiments.common.hparams import log_hparams

    text = json.dumps(metrics, indent=2)
    write_atomic(out / name, text)
    log_hparams(out, metrics)
    print_tensorboard_hint(out)
    print(json.dumps(metrics))
    return metrics


def prepare_run(cfg: DictConfig, out: Path | None = None) -> Path:
    """Set torch threads and seeds from ``cfg`` and record the resolved config and git revision
    in ``out`` (default: the Hydra run directory). Returns the output directory."""
    import torch

    torch.set_num_threads(cfg.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(cfg.threads))
    random.seed(cfg.seed)
    np.random.seed(cfg.seed % (2**32))
    torch.manual_seed(cfg.seed)
    out = Path(out) if out is not None else run_dir()
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    write_atomic(out / "revision.json", json.dumps({"git": git_revision()}, indent=2))
    return out
