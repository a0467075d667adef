"""Lay the learning curves of several runs over each other: mean and 95% band over seeds.

    python -m experiments.compare "runs=['bc=runs/bc-*/tensorboard','awr=runs/awr-*/tensorboard']" \\
        'tags=[eval/l3_operation_accuracy,losses/l2]'

A label whose runs lack a tag is left out of that tag's panel (a frozen baseline has no training
losses). Each entry of ``runs`` is ``label=glob`` (or a bare glob, labelled by itself); every folder with
TensorBoard event files under a match is one seed of that label. Writes ``compare.png`` and
``compare.json`` (final mean and band per label and tag) to the run directory.
"""

from __future__ import annotations

import glob
import json
from pathlib import Path

import hydra
from omegaconf import DictConfig

from experiments.common.curves import check_tag
from experiments.common.run_context import prepare_run, write_atomic
from experiments.common.tensorboard_curves import (
    groups_with,
    mean_and_band,
    plot_curves,
    read_scalars,
)
from experiments.schemas import register_schemas


def run_groups(runs: list[str]) -> dict[str, list[Path]]:
    """Label -> event-file folders (one per seed); an entry that matches nothing is an error."""
    groups: dict[str, list[Path]] = {}
    for entry in runs:
        label, _, pattern = entry.rpartition("=") if "=" in entry else (entry, "", entry)
        folders = sorted(
            {p.parent for match in glob.glob(pattern) for p in Path(match).rglob("events.out.*")}
        )
        if not folders:
            raise ValueError(f"runs entry {entry!r} matches no TensorBoard event files")
        groups.setdefault(label, []).extend(folders)
    return groups


def compare(runs: list[str], tags: list[str], out: Path) -> dict:
    if not runs or not tags:
        raise ValueError("compare needs at least one entry in runs and one in tags")
    for tag in tags:
        check_tag(tag)
    groups = run_groups(runs)
    summary = {}
    for tag in tags:
        for label, folders in groups_with(groups, tag).items():
            steps, mean, half = mean_and_band([read_scalars(f, tag) for f in folders])
            summary.setdefault(tag, {})[label] = {
                "seeds": len(folders),
                "final_step": int(steps[-1]),
                "final_mean": float(mean[-1]),
                "final_ci95": float(half[-1]),
            }
    png = plot_curves(groups, tags, out / "compare.png", "learning curves")
    write_atomic(out / "compare.json", json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print(f"curves in {png}")
    return summary


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="compare")
def main(cfg: DictConfig) -> None:
    out = prepare_run(cfg)
    compare(list(cfg.runs), list(cfg.tags), out)


if __name__ == "__main__":
    main()
