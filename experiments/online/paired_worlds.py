"""Two bundles in one factory of the same seeded worlds: their paired difference per level.

    python -m experiments.online.paired_worlds a=<bundle> b=<bundle> [levels=[0,1,2]] [worlds=24]

Each bundle decides everything for the learner's factory of the same seeded worlds (the online
stages' world, the learner's level set per row); the rivals, the exogenous contracts and every
draw are the same until the two bundles' decisions part them. At the first level that pairing
takes out nearly all of the world-to-world spread (correlation 0.98 between the shipped student
and its noisy self, ``experiments/reports/scml/online/ppo_from_dagger/twin_baseline_variance.md``),
so a few dozen worlds measure there what the position-balanced evaluation needs hundreds for.
It says nothing about other rivals, lineups or world lengths: those stay the balanced
evaluation's (``experiments.tournament.evaluate``).

The world's ``mode: training`` (the default here) makes the pairing exact: no wall-clock limits,
and no draw on the clock's account (``envs.scml.world_classes``), so identical decisions keep
two worlds together however busy the machine. Worlds are ``first_seed``, ``first_seed + 1``,
...: keep them apart from any training run's (the online stages draw theirs at random below
2**31 and curve worlds at ``seed * 1000 + 500``).
Writes ``out`` (JSON: per level both means and the paired difference with its 95% interval)
and prints a table.
"""

from __future__ import annotations

import json
import multiprocessing
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from envs.scml.config import world_config
from experiments.common.run_context import write_atomic
from experiments.common.tensorboard_curves import t_interval
from experiments.online.evaluation import bundle_scores, world_at_level
from experiments.schemas import register_schemas


def seeds_of(cfg: DictConfig) -> list[int]:
    """``cfg.worlds`` consecutive world seeds from ``cfg.first_seed`` (an interval needs 2)."""
    if cfg.worlds < 2:
        raise ValueError(f"worlds must be >= 2 for an interval, got {cfg.worlds}")
    return list(range(cfg.first_seed, cfg.first_seed + cfg.worlds))


@contextmanager
def world_with_temporary_logs(world: DictConfig) -> Iterator[dict]:
    """The world block as a dict whose negmas logs go to a folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="hrlxf-worlds-") as logs:
        yield {**OmegaConf.to_container(world, resolve=True), "log_dir": logs}


def scores_one_thread(bundle: str, world: dict, horizon: int, seeds: list[int]) -> np.ndarray:
    """:func:`bundle_scores` with torch on one thread (the pool's workers share the cores)."""
    torch.set_num_threads(1)
    return bundle_scores(bundle, world, horizon, seeds)


def scores_in_worlds(
    bundles: dict[str, str],
    world: dict,
    levels: list[int],
    seeds: list[int],
    horizon: int,
    processes: int = 1,
) -> dict[tuple[int, str], np.ndarray]:
    """Each bundle's score in the learner's factory of every seeded world, per level: keyed by
    (level, bundle name), one score per seed in ``seeds``' order."""
    for name, bundle in bundles.items():
        if not (Path(bundle) / "config.json").is_file():
            raise ValueError(f"{name}={bundle} is not a bundle directory (no config.json)")
    tasks = {(level, name): world_at_level(world, level) for level in levels for name in bundles}
    if processes == 1:
        return {
            (level, name): scores_one_thread(bundles[name], at_level, horizon, seeds)
            for (level, name), at_level in tasks.items()
        }
    # Fresh interpreters: a fork of a process whose torch or Ray threads are running (a test
    # session, a notebook) can die in the child.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=spawn) as pool:
        jobs = {
            key: [
                pool.submit(scores_one_thread, bundles[key[1]], at_level, horizon, part.tolist())
                for part in np.array_split(np.array(seeds), processes)
                if len(part)
            ]
            for key, at_level in tasks.items()
        }
        return {key: np.concatenate([j.result() for j in js]) for key, js in jobs.items()}


def paired_worlds(
    a: str,
    b: str,
    world: dict,
    levels: list[int],
    seeds: list[int],
    horizon: int,
    processes: int = 1,
) -> dict:
    """Per level (by position name): ``a`` and ``b``'s mean score and the interval of ``a - b``
    over the worlds ``seeds``, each world played once by each bundle in the same factory."""
    results = scores_in_worlds({"a": a, "b": b}, world, levels, seeds, horizon, processes)
    config = world_config(world)
    out = {}
    for level in levels:
        score_a, score_b = results[(level, "a")], results[(level, "b")]
        out[config.position(level)] = {
            "a": float(score_a.mean()),
            "b": float(score_b.mean()),
            "a_minus_b": t_interval(score_a - score_b),
            "worlds": len(seeds),
        }
    return out


@hydra.main(version_base="1.3", config_path="../../conf", config_name="paired_worlds")
def main(cfg: DictConfig) -> None:
    seeds = seeds_of(cfg)
    with world_with_temporary_logs(cfg.world) as world:
        levels = paired_worlds(
            cfg.a, cfg.b, world, list(cfg.levels), seeds, cfg.horizon, cfg.processes
        )
    report = {"a": cfg.a, "b": cfg.b, "seeds": seeds, "levels": levels}
    if cfg.out:
        Path(cfg.out).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(Path(cfg.out), json.dumps(report, indent=1))
    print(f"a = {cfg.a}\nb = {cfg.b}\n{cfg.worlds} worlds a level, seeds from {cfg.first_seed}")
    print("| position | a | b | a - b | 95% interval |\n|---|---:|---:|---:|---|")
    for position, row in levels.items():
        diff = row["a_minus_b"]
        print(
            f"| {position} | {row['a']:.3f} | {row['b']:.3f} | {diff['mean']:+.3f} "
            f"| [{diff['low']:+.3f}, {diff['high']:+.3f}] |"
        )


register_schemas()

if __name__ == "__main__":
    main()
