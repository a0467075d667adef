"""Run SCML std tournaments (anac2024_std) serially, or in watched parallel shards."""

from __future__ import annotations

import multiprocessing
import random
import signal
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from envs.scml.opponents import import_path, resolve_agent
from experiments.common.seeding import shard_seed

SCORE_COLUMNS = ["agent_type", "agent_id", "world", "score"]


@dataclass(frozen=True)
class TournamentSpec:
    """What to run. ``max_worlds_per_config`` defaults to the number of competitors, the least
    anac2024_std accepts for a fair assignment. ``competitors_per_world`` None lets scml choose
    subsets (more worlds); the number of competitors puts everyone in every world (fewest)."""

    competitors: tuple[str, ...]
    n_configs: int = 4
    n_steps: int = 50
    n_runs_per_world: int = 1
    max_worlds_per_config: int | None = None
    competitors_per_world: int | None = None
    parallelism: str = "serial"
    n_workers: int = 2
    shard_timeout_s: float = 1800.0
    seed: int = 0
    title: str = "HRL-XF tournament"

    def validate(self) -> None:
        if len(self.competitors) < 2:
            raise ValueError(
                f"a tournament needs at least 2 competitors, got {list(self.competitors)}"
            )
        for name in self.competitors:
            resolve_agent(name)  # raises a clear error for unknown names
        if self.parallelism not in ("serial", "parallel"):
            raise ValueError(
                f"parallelism must be 'serial' or 'parallel', got {self.parallelism!r}"
            )
        if self.competitors_per_world is not None and not 1 <= self.competitors_per_world <= len(
            self.competitors
        ):
            raise ValueError(
                f"competitors_per_world must be in [1, {len(self.competitors)}], got {self.competitors_per_world}"
            )
        if self.n_configs < 1 or self.n_steps < 4 or self.n_runs_per_world < 1:
            raise ValueError(
                f"need n_configs >= 1, n_steps >= 4, n_runs_per_world >= 1; got {self.n_configs}, "
                f"{self.n_steps}, {self.n_runs_per_world}"
            )


def _run_serial(spec: TournamentSpec, path: Path, progress: bool = True) -> pd.DataFrame:
    from scml.utils import anac2024_std

    random.seed(spec.seed)
    np.random.seed(spec.seed)
    n_worlds = spec.max_worlds_per_config or len(spec.competitors)
    bar = tqdm(total=None, desc="worlds", unit="world", disable=not progress)

    def on_world(result, index, total):  # negmas calls this after each world (result None on error)
        bar.total = total
        bar.update(1)

    path.parent.mkdir(parents=True, exist_ok=True)
    results = anac2024_std(
        competitors=[import_path(c) if isinstance(c, str) else c for c in spec.competitors],
        n_configs=spec.n_configs,
        max_worlds_per_config=n_worlds,
        n_runs_per_world=spec.n_runs_per_world,
        n_steps=spec.n_steps,
        parallelism="serial",
        tournament_path=str(path.parent),
        name=path.name,
        compact=True,
        forced_logs_fraction=0.0,
        tournament_progress_callback=on_world,
        verbose=False,
        **(
            {}
            if spec.competitors_per_world is None
            else {"n_competitors_per_world": spec.competitors_per_world}
        ),
    )
    bar.close()
    return results.scores[SCORE_COLUMNS].copy()


def _shard_main(spec: TournamentSpec, path: Path, out_csv: Path) -> None:
    scores = _run_serial(spec, path, progress=False)
    tmp = out_csv.with_suffix(".tmp")
    scores.to_csv(tmp, index=False)
    tmp.replace(out_csv)


def _run_parallel(spec: TournamentSpec, path: Path) -> tuple[pd.DataFrame, list[dict]]:
    """One world configuration per shard process; a shard past its timeout is killed and reported."""
    context = multiprocessing.get_context("spawn")
    pending = [
        (i, replace(spec, n_configs=1, seed=shard_seed(spec.seed, i), parallelism="serial"))
        for i in range(spec.n_configs)
    ]
    running: dict[int, tuple[multiprocessing.Process, float, Path]] = {}
    frames, failures = [], []
    bar = tqdm(total=len(pending), desc="configs", unit="config")
    # A terminated runner must not leave its shards running: SIGTERM unwinds through finally.
    previous = signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        _drive_shards(spec, path, context, pending, running, frames, failures, bar)
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process, _, _ in running.values():
            if process.is_alive():
                process.kill()
                process.join()
        bar.close()
    scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SCORE_COLUMNS)
    return scores, failures


def _raise_system_exit(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _drive_shards(spec, path, context, pending, running, frames, failures, bar) -> None:
    """Start shards up to ``n_workers`` at a time, collect results, kill shards past the timeout."""
    while pending or running:
        while pending and len(running) < spec.n_workers:
            i, shard = pending.pop(0)
            out_csv = path / f"shard{i:03d}.csv"
            process = context.Process(
                target=_shard_main, args=(shard, path / f"shard{i:03d}", out_csv)
            )
            process.start()
            running[i] = (process, time.monotonic(), out_csv)
        time.sleep(0.5)
        for i, (process, started, out_csv) in list(running.items()):
            if process.is_alive() and time.monotonic() - started > spec.shard_timeout_s:
                process.kill()
                process.join()
                failures.append(
                    {"shard": i, "reason": f"killed after {spec.shard_timeout_s:.0f} s (hung)"}
                )
            elif process.is_alive():
                continue
            elif process.exitcode == 0 and out_csv.exists():
                frames.append(pd.read_csv(out_csv))
            else:
                failures.append({"shard": i, "reason": f"exit code {process.exitcode}"})
            del running[i]
            bar.update(1)


def run_tournament(spec: TournamentSpec, out_dir: Path) -> tuple[pd.DataFrame, list[dict]]:
    """Scores (one row per agent per world) and the list of shards that failed or hung."""
    spec.validate()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "tournament"
    if spec.parallelism == "serial":
        return _run_serial(spec, path), []
    path.mkdir(parents=True, exist_ok=True)
    return _run_parallel(spec, path)
