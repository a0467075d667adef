"""Read scalar curves back from TensorBoard event files and plot them (mean +- std over runs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_scalars(log_dir: Path, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of one tag in a run's event files; a missing tag is an error."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})
    acc.Reload()
    if tag not in acc.Tags()["scalars"]:
        raise ValueError(f"no scalar {tag!r} in {log_dir}; found {acc.Tags()['scalars']}")
    events = acc.Scalars(tag)
    return np.array([e.step for e in events]), np.array([e.value for e in events])


def plot_curves(groups: dict[str, list[Path]], tag: str, path: Path, title: str) -> Path:
    """One line per group: the mean over its runs (interpolated onto common steps) +- std."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, dirs in groups.items():
        curves = [read_scalars(d, tag) for d in dirs]
        steps = curves[0][0]
        values = np.stack([np.interp(steps, s, v) for s, v in curves])
        mean, std = values.mean(axis=0), values.std(axis=0)
        ax.plot(steps, mean, label=f"{label} (n={len(dirs)})")
        ax.fill_between(steps, mean - std, mean + std, alpha=0.2)
    ax.set_xlabel("environment steps")
    ax.set_ylabel(tag)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
