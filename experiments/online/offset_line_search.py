"""The score along a goal-offset direction: the start plus k times the offset a run moved.

    python -m experiments.online.offset_line_search start=<bundle> direction=<bundle> out=<dir> \
        ['scales=[-4,4,8]'] [levels=[0]] [worlds=24] [processes=2]

PPO takes small steps on the noisy policy it samples from, and the export plays the mean. A line
search reads the mean policy's score along the direction a run moved its goal offsets
(``stage.trainable=goal_offsets``), as a trust-region method checks its step before taking it:
for each scale k the bundle ``start`` with offsets ``start + k * (direction - start)`` (every
other weight the start's), all played in the same seeded worlds at the levels whose offset row
moved, each paired with the start (``experiments.online.paired_worlds``). A step chosen on these
worlds is selected on them: confirm it on fresh seeds (``paired_worlds`` with another
``first_seed``) before reading its interval as a gain.

Writes ``out/scale_<k>/`` (a bundle per scale, playable and continuable) and
``out/line_search.json`` (per level the start's mean and each scale's mean and paired difference
with its 95% interval); prints a table.
"""

from __future__ import annotations

import json
from pathlib import Path

import hydra
import torch
from omegaconf import DictConfig

from envs.scml.config import world_config
from experiments.common.run_context import write_atomic
from experiments.common.tensorboard_curves import t_interval
from experiments.online.paired_worlds import scores_in_worlds, seeds_of, world_with_temporary_logs
from experiments.schemas import register_schemas
from policies.hrl.bundle import CONFIG, HRLBundle

START = "start"


def offset_direction(start: HRLBundle, direction: HRLBundle) -> torch.Tensor:
    """How far ``direction``'s goal offsets moved from ``start``'s (one row per position)."""
    moved = direction.manager.goal_offset.detach() - start.manager.goal_offset.detach()
    if not torch.any(moved != 0):
        raise ValueError(
            "direction= has the start's goal offsets: nothing to search along "
            "(train one with stage.trainable=goal_offsets)"
        )
    return moved


def moved_levels(moved: torch.Tensor) -> list[int]:
    """The levels (rows) whose offset the direction changes."""
    return [level for level, row in enumerate(moved) if torch.any(row != 0)]


def scale_name(scale: float) -> str:
    return f"scale_{scale:+g}"


class OffsetWriter:
    """Saves the start bundle with other goal offsets (every other weight, and the start's own
    config record, unchanged): one bundle directory per call."""

    def __init__(self, start_dir: str | Path) -> None:
        self.start_dir = str(start_dir)
        self.bundle = HRLBundle.load(Path(start_dir))
        self.record = json.loads((Path(start_dir) / CONFIG).read_text())
        self.record.pop("bundle", None)
        self.origin = self.bundle.manager.goal_offset.detach().clone()

    def save(self, offsets: torch.Tensor, directory: Path, provenance: dict) -> str:
        """Writes the start with ``offsets`` (one row per position) to ``directory``; returns its
        absolute path. ``provenance`` is recorded in the bundle's config under its own keys."""
        with torch.no_grad():
            self.bundle.manager.goal_offset.copy_(offsets)
        self.bundle.save(directory, extra={**self.record, **provenance})
        return str(Path(directory).resolve())


def write_scaled_bundles(
    writer: OffsetWriter, moved: torch.Tensor, scales: list[float], out: Path
) -> dict[str, str]:
    """One bundle per scale under ``out``: the start with its offsets moved ``scale`` times."""
    return {
        scale_name(scale): writer.save(
            writer.origin + scale * moved,
            out / scale_name(scale),
            {"offset_line_search": {"start": writer.start_dir, "scale": scale}},
        )
        for scale in scales
    }


def offset_line_search(
    start: str,
    direction: str,
    scales: list[float],
    world: dict,
    seeds: list[int],
    horizon: int,
    out: Path,
    levels: list[int] | None = None,
    processes: int = 1,
) -> dict:
    """Per level (by position name): the start's mean and, per scale, the scaled bundle's mean and
    its paired difference to the start over the worlds ``seeds``."""
    if not scales:
        raise ValueError("scales= is empty: give at least one scale to try")
    writer = OffsetWriter(start)
    moved = offset_direction(writer.bundle, HRLBundle.load(Path(direction)))
    levels = moved_levels(moved) if levels is None else list(levels)
    bundles = {START: str(Path(start).resolve())}
    bundles |= write_scaled_bundles(writer, moved, scales, out)
    results = scores_in_worlds(bundles, world, levels, seeds, horizon, processes)
    config = world_config(world)
    table = {}
    for level in levels:
        base = results[(level, START)]
        table[config.position(level)] = {
            START: float(base.mean()),
            "worlds": len(seeds),
            "scales": {
                str(scale): {
                    "mean": float(results[(level, scale_name(scale))].mean()),
                    "minus_start": t_interval(results[(level, scale_name(scale))] - base),
                }
                for scale in scales
            },
        }
    return table


@hydra.main(version_base="1.3", config_path="../../conf", config_name="offset_line_search")
def main(cfg: DictConfig) -> None:
    seeds = seeds_of(cfg)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    with world_with_temporary_logs(cfg.world) as world:
        levels = offset_line_search(
            cfg.start,
            cfg.direction,
            [float(s) for s in cfg.scales],
            world,
            seeds,
            cfg.horizon,
            out,
            None if cfg.levels is None else list(cfg.levels),
            cfg.processes,
        )
    report = {"start": cfg.start, "direction": cfg.direction, "seeds": seeds, "levels": levels}
    write_atomic(out / "line_search.json", json.dumps(report, indent=1))
    print(f"start = {cfg.start}\ndirection = {cfg.direction}\n{cfg.worlds} worlds a level")
    print("| position | scale | mean | minus the start | 95% interval |\n|---|---:|---:|---:|---|")
    for position, row in levels.items():
        print(f"| {position} | 0 (start) | {row[START]:.3f} | - | - |")
        for scale, cell in row["scales"].items():
            diff = cell["minus_start"]
            print(
                f"| {position} | {float(scale):+g} | {cell['mean']:.3f} | {diff['mean']:+.3f} "
                f"| [{diff['low']:+.3f}, {diff['high']:+.3f}] |"
            )


register_schemas()

if __name__ == "__main__":
    main()
