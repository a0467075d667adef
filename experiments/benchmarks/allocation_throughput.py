"""SB3 PPO training throughput on HRLXF/AdvisorWeights-v0 next to CartPole-v1, same run.

    python -m experiments.benchmarks.allocation_throughput [timesteps=8192]

One core (torch threads 1), identical PPO settings. The environment should not be the
bottleneck: target ratio >= 0.70 of CartPole's rate. Prints one JSON line last:
env_steps_per_s, cartpole_steps_per_s, ratio.
"""

from __future__ import annotations

import json
import time

import gymnasium as gym
import hydra
import torch
from omegaconf import DictConfig
from stable_baselines3 import PPO

import envs  # noqa: F401 - registers the ids


def steps_per_second(env: gym.Env, timesteps: int) -> float:
    model = PPO(
        "MlpPolicy", env, n_steps=1024, batch_size=64, n_epochs=4, seed=0, device="cpu", verbose=0
    )
    model.learn(total_timesteps=1024)  # warm-up: first rollout, first update
    start = time.perf_counter()
    model.learn(total_timesteps=timesteps, reset_num_timesteps=False)
    return timesteps / (time.perf_counter() - start)


@hydra.main(
    version_base="1.3", config_path="../../conf", config_name="benchmarks/allocation_throughput"
)
def main(args: DictConfig) -> None:
    torch.set_num_threads(1)
    allocation = steps_per_second(gym.make("HRLXF/AdvisorWeights-v0"), args.timesteps)
    cartpole = steps_per_second(gym.make("CartPole-v1"), args.timesteps)
    print(
        json.dumps(
            {
                "benchmark": "allocation_throughput",
                "timesteps": args.timesteps,
                "env_steps_per_s": allocation,
                "cartpole_steps_per_s": cartpole,
                "ratio": allocation / cartpole,
                "targets": {"ratio": 0.7},
            }
        )
    )


if __name__ == "__main__":
    main()
