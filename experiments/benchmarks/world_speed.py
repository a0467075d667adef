"""Simulated days per second of the same seeded SCML std worlds in scml's default settings and
in training mode (envs.scml.world_builder.world_options), and where a day's time goes.

    python -m experiments.benchmarks.world_speed [n_steps=30] [seeds=2] [repeats=2]

9 factories (3 levels x 3): HeuristicStdAgent in the middle, GreedyStdAgent, SyncRandomStdAgent
and PenguinAgent around it. Each world runs in both modes, interleaved, best of ``repeats``;
the final scores must be identical (asserted). A cProfile of one training-mode world gives the
share of time per package and the functions that cost most. Target: speedup >= 1.1.
Prints one JSON line last: default_days_per_s, training_days_per_s, speedup, time_share,
top_functions.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import tempfile
import time
from collections import Counter

import hydra
from omegaconf import DictConfig

from baselines.heuristic.agent import HeuristicStdAgent
from envs.scml.world_builder import WorldConfig, build_world

OPPONENTS = ["GreedyStdAgent", "SyncRandomStdAgent", "PenguinAgent"]
PACKAGES = ("negmas", "scml_agents", "scml", "policies", "baselines", "envs", "pandas", "numpy")


def run_world(config: WorldConfig, seed: int) -> tuple[float, dict[str, float]]:
    world, _ = build_world(config, HeuristicStdAgent, seed, learner_params={"horizon": 40})
    start = time.perf_counter()
    world.run()
    return time.perf_counter() - start, {k: float(v) for k, v in world.scores().items()}


def package_of(filename: str) -> str:
    parts = filename.replace("\\", "/").split("/")
    for package in PACKAGES:  # scml_agents before scml
        if package in parts:
            return package
    return "python and other"


def profile_world(config: WorldConfig, seed: int) -> tuple[dict[str, float], list[dict]]:
    profiler = cProfile.Profile()
    profiler.enable()
    run_world(config, seed)
    profiler.disable()
    stats = pstats.Stats(profiler)
    shares: Counter[str] = Counter()
    rows = []
    for (filename, line, function), (_, _, own, cumulative, _) in stats.stats.items():
        shares[package_of(filename)] += own
        rows.append((own, cumulative, f"{filename.split('site-packages/')[-1]}:{line}({function})"))
    total = sum(shares.values())
    top = [
        {"function": name, "own_s": round(own, 3), "cumulative_s": round(cum, 3)}
        for own, cum, name in sorted(rows, reverse=True)[:8]
    ]
    return {k: round(v / total, 3) for k, v in shares.most_common()}, top


@hydra.main(version_base="1.3", config_path="../../conf", config_name="benchmarks/world_speed")
def main(args: DictConfig) -> None:
    with tempfile.TemporaryDirectory(prefix="hrlxf-world-speed-") as logs:
        configs = {
            mode: WorldConfig(n_steps=args.n_steps, opponents=OPPONENTS, log_dir=logs, mode=mode)
            for mode in ("default", "training")
        }
        best = {mode: [float("inf")] * args.seeds for mode in configs}
        for _ in range(args.repeats):
            for seed in range(args.seeds):
                scores = {}
                for mode, config in configs.items():
                    elapsed, scores[mode] = run_world(config, seed)
                    best[mode][seed] = min(best[mode][seed], elapsed)
                assert scores["default"] == scores["training"], f"seed {seed}: scores differ"
        time_share, top = profile_world(configs["training"], 0)
        run_world(configs["default"], 0)  # leave negmas's thread switch as scml sets it
    days = args.n_steps * args.seeds
    rates = {mode: days / sum(times) for mode, times in best.items()}
    print(
        json.dumps(
            {
                "benchmark": "world_speed",
                "n_steps": args.n_steps,
                "seeds": args.seeds,
                "default_days_per_s": rates["default"],
                "training_days_per_s": rates["training"],
                "speedup": rates["training"] / rates["default"],
                "identical_scores": True,
                "time_share": time_share,
                "top_functions": top,
                "targets": {"speedup": 1.1},
            }
        )
    )


if __name__ == "__main__":
    main()
