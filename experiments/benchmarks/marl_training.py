"""Training throughput (env steps/s, one core) of MADDPG and RLlib multi-agent PPO on the trading
simulator, next to stepping the same env with random actions (the ceiling), same run.

    python -m experiments.benchmarks.marl_training [steps=20000] [ppo_iterations=5]

Env step = one step of one 4-trader market (all agents act). Prints one JSON line last:
env_only_steps_per_s, maddpg_env_steps_per_s, rllib_ppo_env_steps_per_s and their ratios to the
env-only rate.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig

from envs.trading import parallel_env
from policies.maddpg import MADDPG, MADDPGConfig, ParallelEnvBatch
from policies.maddpg.learn import LearnSettings, learn


def make_env():
    return parallel_env(episode_length=100)


def env_only(steps: int) -> float:
    batch = ParallelEnvBatch(make_env, n_envs=4, seed=0)
    batch.reset()
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(steps // batch.n_envs):
        batch.step(
            [[rng.uniform(-1, 1, 1).astype(np.float32) for _ in range(4)] for _ in batch.agents]
        )
    return steps / (time.perf_counter() - start)


def maddpg(steps: int) -> float:
    spaces = ParallelEnvBatch(make_env, 1, 0)
    config = MADDPGConfig(learning_starts=1000)
    trainer = MADDPG(spaces.agents, spaces.observation_spaces, spaces.action_spaces, config)
    settings = LearnSettings(total_env_steps=steps, n_envs=4, eval_every=10**9, eval_episodes=1)
    start = time.perf_counter()
    learn(make_env, settings, trainer, lambda *_: None)
    return steps / (time.perf_counter() - start)


def rllib_ppo(iterations: int) -> float:
    from experiments.common import rllib_ppo as ppo_lib
    from experiments.common.ppo_settings import RLlibPPOSettings
    from experiments.common.ray_runtime import start_ray

    with tempfile.TemporaryDirectory(prefix="hrlxf-bench-") as tmp:
        start_ray(Path(tmp), num_cpus=1)
        settings = RLlibPPOSettings(rollout_fragment_length="200")
        algo, _ = ppo_lib.build_ppo(make_env, "hrlxf-bench-trading", "per_type", settings, 0)
        try:
            first = algo.train()  # warm-up iteration
            start = time.perf_counter()
            for _ in range(iterations):
                last = algo.train()
            elapsed = time.perf_counter() - start
        finally:
            algo.stop()
        done = last["num_env_steps_sampled_lifetime"] - first["num_env_steps_sampled_lifetime"]
        return done / elapsed


@hydra.main(version_base="1.3", config_path="../../conf", config_name="benchmarks/marl_training")
def main(args: DictConfig) -> None:
    torch.set_num_threads(1)
    reference = env_only(args.steps)
    maddpg_rate = maddpg(args.steps)
    ppo_rate = rllib_ppo(args.ppo_iterations)
    print(
        json.dumps(
            {
                "benchmark": "marl_training",
                "env_only_steps_per_s": reference,
                "maddpg_env_steps_per_s": maddpg_rate,
                "rllib_ppo_env_steps_per_s": ppo_rate,
                "maddpg_ratio": maddpg_rate / reference,
                "rllib_ppo_ratio": ppo_rate / reference,
            }
        )
    )


if __name__ == "__main__":
    main()
