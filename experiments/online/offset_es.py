"""Antithetic evolution strategies over one level's goal offsets, in exactly paired worlds.

    python -m experiments.online.offset_es start=<bundle> level=2 out=<dir> \
        [iterations=5] [pairs=16] [sigma=0.2] [lr=0.5] [processes=2]

PPO learns from the noisy policy's returns, world against world, and at 40 worlds an update that
gradient was noise (``experiments/reports/scml/online/ppo_from_dagger``, run 7). Evolution
strategies estimate the gradient of the score the export actually plays for, the mean policy's,
from differences inside one world: each pair plays one seeded world twice, the level's goal
offsets (``HorizonManager.goal_offset``, one row per position) moved by ``+sigma * eps`` and by
``-sigma * eps``. Training-mode worlds replay exactly (``envs.scml.world_classes``), so a pair's
difference holds the perturbation's effect and the chaos it sets off, not the world-to-world
spread. Only the entries of the goal the level negotiates move (a first-level factory only
sells, a last-level one only buys).

Each iteration plays ``pairs`` fresh worlds (seeds ``first_seed + iteration * pairs + i``) three
times: plus, minus and the start. The curve ``eval/offset_es/<position>/minus_start`` is the
iteration's smoothed score (the mean of plus and minus) minus the start's, paired per world.
The update is ``lr`` times the estimate ``sum_i (plus_i - minus_i) eps_i / (2 sigma pairs)``,
its norm capped at ``max_step``. A final offset chosen here is selected on these worlds: confirm
it on fresh seeds (``experiments.online.paired_worlds``) before reading it as a gain.

Writes ``out/iteration_<t>/`` (the offsets each iteration started from, as a bundle),
``out/final/`` (the offsets after the last update), ``out/offset_es.json`` (the history) and
TensorBoard curves in ``out/tb``.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig

from envs.scml.config import world_config
from experiments.common.curves import CurveLogger
from experiments.common.run_context import write_atomic
from experiments.common.tensorboard_curves import t_interval
from experiments.online.evaluation import world_at_level
from experiments.online.offset_line_search import OffsetWriter
from experiments.online.paired_worlds import scores_one_thread, world_with_temporary_logs
from experiments.schemas import register_schemas
from policies.hrl.horizon_manager import position_role, role_goal_mask


def negotiated_entries(level: int) -> np.ndarray:
    """Indices of the goal entries a factory at ``level`` negotiates (the rest are masked)."""
    return np.flatnonzero(role_goal_mask(position_role(level))[0].numpy())


def antithetic_gradient(plus: np.ndarray, minus: np.ndarray, eps: np.ndarray, sigma: float):
    """The ES estimate of the score's gradient: ``sum_i (plus_i - minus_i) eps_i / (2 sigma n)``
    for ``n`` directions ``eps`` (n, d) and their scores ``plus``, ``minus`` (n,)."""
    plus, minus, eps = np.asarray(plus), np.asarray(minus), np.asarray(eps)
    if eps.ndim != 2 or plus.shape != minus.shape or plus.shape != (eps.shape[0],):
        raise ValueError(
            f"need eps (n, d) and n scores each side, got {eps.shape}, {plus.shape}, {minus.shape}"
        )
    return (plus - minus) @ eps / (2.0 * sigma * len(eps))


def capped(step: np.ndarray, max_step: float) -> np.ndarray:
    """``step`` scaled down to norm ``max_step`` if it is longer."""
    norm = float(np.linalg.norm(step))
    return step * (max_step / norm) if norm > max_step else step


def offset_es(
    start: str,
    level: int,
    world: dict,
    horizon: int,
    out: Path,
    iterations: int,
    pairs: int,
    sigma: float,
    lr: float,
    max_step: float,
    first_seed: int,
    seed: int,
    processes: int = 1,
) -> dict:
    """Runs the search; returns the history written to ``out/offset_es.json``."""
    if iterations < 1 or pairs < 1:
        raise ValueError(f"iterations and pairs must be >= 1, got {iterations} and {pairs}")
    if sigma <= 0 or lr <= 0 or max_step <= 0:
        raise ValueError(f"sigma, lr and max_step must be > 0, got {sigma}, {lr}, {max_step}")
    writer = OffsetWriter(start)
    entries = negotiated_entries(level)
    position = world_config(world).position(level)
    at_level = world_at_level(world, level)
    days = int(world["n_steps"])
    offsets = writer.origin.clone()
    rng = np.random.default_rng(seed)
    start_dir = str(Path(start).resolve())
    history: list[dict] = []
    report = {
        "start": start_dir,
        "level": level,
        "position": position,
        "sigma": sigma,
        "lr": lr,
        "max_step": max_step,
        "pairs": pairs,
        "entries": entries.tolist(),
        "history": history,
    }
    spawn = multiprocessing.get_context("spawn")
    began = time.perf_counter()
    with (
        CurveLogger(out / "tb") as curves,
        ProcessPoolExecutor(max_workers=processes, mp_context=spawn) as pool,
    ):
        for iteration in range(iterations):
            center = writer.save(
                offsets,
                out / f"iteration_{iteration}",
                {"offset_es": {"start": start_dir, "level": level, "iteration": iteration}},
            )
            eps = rng.standard_normal((pairs, len(entries)))
            seeds = [first_seed + iteration * pairs + i for i in range(pairs)]
            scratch = out / f"iteration_{iteration}_perturbed"
            jobs = {"start": [], "plus": [], "minus": []}
            for i, world_seed in enumerate(seeds):
                jobs["start"].append(
                    pool.submit(scores_one_thread, start_dir, at_level, horizon, [world_seed])
                )
                for sign, name in ((1.0, "plus"), (-1.0, "minus")):
                    moved = offsets.clone()
                    moved[level, entries] += torch.as_tensor(sign * sigma * eps[i]).float()
                    bundle = writer.save(moved, scratch / f"{name}_{i}", {})
                    jobs[name].append(
                        pool.submit(scores_one_thread, bundle, at_level, horizon, [world_seed])
                    )
            scores = {k: np.concatenate([j.result() for j in js]) for k, js in jobs.items()}
            shutil.rmtree(scratch)
            gradient = antithetic_gradient(scores["plus"], scores["minus"], eps, sigma)
            step = capped(lr * gradient, max_step)
            smoothed_minus_start = (scores["plus"] + scores["minus"]) / 2 - scores["start"]
            record = {
                "iteration": iteration,
                "bundle": center,
                "seeds": seeds,
                "offsets": offsets[level, entries].tolist(),
                "eps": eps.tolist(),
                "start_mean": float(scores["start"].mean()),
                "plus": scores["plus"].tolist(),
                "minus": scores["minus"].tolist(),
                "start": scores["start"].tolist(),
                "smoothed_minus_start": t_interval(smoothed_minus_start)
                if pairs > 1
                else {"mean": float(smoothed_minus_start.mean())},
                "gradient_norm": float(np.linalg.norm(gradient)),
                "step": step.tolist(),
                "seconds": time.perf_counter() - began,
            }
            history.append(record)
            offsets[level, entries] += torch.as_tensor(step).float()
            played = 2 * pairs * (iteration + 1) * days  # the learner's days in perturbed worlds
            curves(
                f"eval/offset_es/{position}/minus_start",
                record["smoothed_minus_start"]["mean"],
                played,
            )
            curves(f"losses/offset_es/{position}/gradient_norm", record["gradient_norm"], played)
            drift = float(torch.linalg.vector_norm(offsets - writer.origin))
            curves(f"losses/offset_es/{position}/offset_drift", drift, played)
            curves.steps(played)
            print(
                f"iteration {iteration}: smoothed minus start "
                f"{record['smoothed_minus_start']['mean']:+.4f}, |gradient| "
                f"{record['gradient_norm']:.4f}, |step| {np.linalg.norm(step):.4f}, "
                f"drift {drift:.4f} ({record['seconds']:.0f} s)",
                flush=True,
            )
            write_atomic(out / "offset_es.json", json.dumps(report, indent=1))
    report["final"] = writer.save(
        offsets, out / "final", {"offset_es": {"start": start_dir, "level": level, "final": True}}
    )
    report["final_offsets"] = offsets[level, entries].tolist()
    write_atomic(out / "offset_es.json", json.dumps(report, indent=1))
    return report


@hydra.main(version_base="1.3", config_path="../../conf", config_name="offset_es")
def main(cfg: DictConfig) -> None:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.threads)
    with world_with_temporary_logs(cfg.world) as world:
        report = offset_es(
            cfg.start,
            cfg.level,
            world,
            cfg.horizon,
            out,
            cfg.iterations,
            cfg.pairs,
            cfg.sigma,
            cfg.lr,
            cfg.max_step,
            cfg.first_seed,
            cfg.seed,
            cfg.processes,
        )
    print(f"final offsets of the {report['position']} level: {report['final']}")


register_schemas()

if __name__ == "__main__":
    main()
