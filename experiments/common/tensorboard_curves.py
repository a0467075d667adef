"""Read scalar curves back from TensorBoard event files and plot them (mean and 95% band over runs)."""

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


def groups_with(groups: dict[str, list[Path]], tag: str) -> dict[str, list[Path]]:
    """The groups whose every run logged ``tag`` (a frozen baseline has no training losses);
    an error if none did."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    def has(folder: Path) -> bool:
        acc = EventAccumulator(str(folder), size_guidance={"scalars": 0})
        acc.Reload()
        return tag in acc.Tags()["scalars"]

    kept = {label: dirs for label, dirs in groups.items() if all(has(d) for d in dirs)}
    if not kept:
        raise ValueError(f"no run of {sorted(groups)} logged {tag!r}")
    return kept


# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (then the normal's).
T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
       2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
       2.052, 2.048, 2.045, 2.042)  # fmt: skip


def t95(dof: int) -> float:
    return T95[dof - 1] if dof <= len(T95) else 1.96


def t_interval(values: np.ndarray) -> dict[str, float | None]:
    """Mean and 95% t interval of independent values (bounds None with fewer than two)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return {"mean": float(values.mean()) if len(values) else None, "low": None, "high": None}
    half = t95(len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    mean = float(values.mean())
    return {"mean": mean, "low": mean - half, "high": mean + half}


def mean_and_band(curves: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    """Steps, mean and 95% interval half-width (t over runs; 0 for one run) of curves
    interpolated onto the first run's steps."""
    steps = curves[0][0]
    values = np.stack([np.interp(steps, s, v) for s, v in curves])
    mean = values.mean(axis=0)
    if len(curves) < 2:
        return steps, mean, np.zeros_like(mean)
    sem = values.std(axis=0, ddof=1) / np.sqrt(len(curves))
    return steps, mean, t95(len(curves) - 1) * sem


def plot_curves(
    groups: dict[str, list[Path]],
    tags: str | list[str],
    path: Path,
    title: str,
    xlabel: str = "environment steps",
) -> Path:
    """One panel per tag, one line per group: the mean over its runs and a 95% band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tags = [tags] if isinstance(tags, str) else list(tags)
    fig, axes = plt.subplots(1, len(tags), figsize=(7 * len(tags), 4.5), squeeze=False)
    for ax, tag in zip(axes[0], tags, strict=True):
        for label, dirs in groups_with(groups, tag).items():
            steps, mean, half = mean_and_band([read_scalars(d, tag) for d in dirs])
            ax.plot(steps, mean, label=f"{label} (n={len(dirs)})")
            ax.fill_between(steps, mean - half, mean + half, alpha=0.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(tag)
        ax.set_title(title if len(tags) == 1 else f"{title}: {tag}")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
