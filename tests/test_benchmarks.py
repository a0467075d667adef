"""Every benchmark runs on a tiny budget and ends with one JSON line holding its documented keys.

Numbers are not asserted here (speed targets live in the benchmarks' own output)."""

import json
import math
import subprocess
import sys

import pytest

CASES = {
    "shield": (
        ["batch=64", "repeats=20"],
        ["us_per_call", "us_per_state_batched", "speedup"],
    ),
    "trading_sim": (
        ["markets=64", "agents=4", "steps=20", "loop_markets=4"],
        ["agent_steps_per_s", "speedup_vs_loop"],
    ),
    "allocation_throughput": (
        ["timesteps=1024"],
        ["env_steps_per_s", "cartpole_steps_per_s", "ratio"],
    ),
    "env_overhead": (["n_steps=4", "seeds=1"], ["daily_overhead", "round_overhead"]),
    "world_speed": (
        ["n_steps=6", "seeds=1", "repeats=1"],
        ["default_days_per_s", "training_days_per_s", "speedup"],
    ),
    "scml_training": (
        [
            "levels=[l2]",  # the L3 module's PPO is covered by test_ppo_stage's alternating run
            "steps=20",
            "iterations=1",
            "horizon=10",
            "world.n_steps=5",
            "envs_per_runner=2",
        ],
        ["training_ratio", "runner_scaling"],
    ),
    "twin_baseline": (
        [
            "levels=[0]",
            "worlds_per_level=2",
            "world.n_steps=4",
            "world.agents_per_process=2",
            "world.opponents=[GreedyStdAgent]",
        ],
        ["sd_ratio", "learner_days_per_s"],
    ),
    "marl_training": (
        ["steps=1200", "ppo_iterations=1"],
        ["env_only_steps_per_s", "maddpg_env_steps_per_s", "rllib_ppo_env_steps_per_s"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_benchmark_prints_json_with_its_keys(name):
    args, keys = CASES[name]
    result = subprocess.run(
        [sys.executable, "-m", f"experiments.benchmarks.{name}", *args],
        capture_output=True,
        text=True,
        timeout=1500,  # a hang guard: scml_training took 411 s beside another test on 2 busy cores
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for key in keys:  # overheads may be negative (noise); rates and ratios are positive
        assert math.isfinite(report[key]), (key, report)
        if not key.endswith("overhead"):
            assert report[key] > 0, (key, report)
