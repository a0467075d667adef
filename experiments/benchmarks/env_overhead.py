"""Overhead of the SCML environments against world.run() of the same world.

    python -m experiments.benchmarks.env_overhead [n_steps=30] [seeds=2]

The heuristic agent plays the learner slot in all three runs of a world: inside world.run(); as
the daily goal setter of SCMLDailyEnv; and through the reference policy in SCMLRoundEnv. Only
time spent inside reset()/step() counts for the environments (that includes the executor's
reference answer the envs put in ``info``). Targets: daily overhead <= 10%, round overhead <= 30%.
Prints one JSON line last: daily_overhead, round_overhead (fractions) and the raw days/s.
"""

from __future__ import annotations

import json
import tempfile
import time

import hydra
import torch
from omegaconf import DictConfig

from baselines.heuristic.agent import HeuristicStdAgent
from baselines.reference_policy import ReferencePolicy
from envs.scml import SCMLDailyEnv, SCMLRoundEnv
from envs.scml.world_builder import WorldConfig, build_world

HORIZON = 40


def time_world_run(config: WorldConfig, seed: int) -> float:
    world, _ = build_world(config, HeuristicStdAgent, seed, learner_params={"horizon": HORIZON})
    start = time.perf_counter()
    world.run()
    return time.perf_counter() - start


def time_daily_env(config: WorldConfig, seed: int) -> float:
    env = SCMLDailyEnv(world=config, horizon=HORIZON)
    start = time.perf_counter()
    obs, info = env.reset(options={"world_seed": seed})
    spent = time.perf_counter() - start
    done = False
    policy = ReferencePolicy()
    while not done:
        action = policy(obs, info)
        start = time.perf_counter()
        obs, _, done, _, info = env.step(action)
        spent += time.perf_counter() - start
    return spent


def time_round_env(config: WorldConfig, seed: int) -> float:
    env = SCMLRoundEnv(world=config, horizon=HORIZON)
    policy = ReferencePolicy()
    start = time.perf_counter()
    obs, info = env.reset(options={"world_seed": seed})
    spent = time.perf_counter() - start
    done = False
    while not done:
        action = policy(obs, info)
        start = time.perf_counter()
        obs, _, done, _, info = env.step(action)
        spent += time.perf_counter() - start
    return spent


@hydra.main(version_base="1.3", config_path="../../conf", config_name="benchmarks/env_overhead")
def main(args: DictConfig) -> None:
    torch.set_num_threads(1)
    totals = {"run": 0.0, "daily": 0.0, "round": 0.0}
    with tempfile.TemporaryDirectory(prefix="hrlxf-bench-") as logs:
        config = WorldConfig(n_steps=args.n_steps, agents_per_process=3, log_dir=logs)
        for seed in range(args.seeds):
            totals["run"] += time_world_run(config, seed)
            totals["daily"] += time_daily_env(config, seed)
            totals["round"] += time_round_env(config, seed)
    days = args.n_steps * args.seeds
    result = {
        "benchmark": "env_overhead",
        "n_steps": args.n_steps,
        "seeds": args.seeds,
        "run_days_per_s": days / totals["run"],
        "daily_days_per_s": days / totals["daily"],
        "round_days_per_s": days / totals["round"],
        "daily_overhead": totals["daily"] / totals["run"] - 1.0,
        "round_overhead": totals["round"] / totals["run"] - 1.0,
        "targets": {"daily_overhead": 0.10, "round_overhead": 0.30},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
