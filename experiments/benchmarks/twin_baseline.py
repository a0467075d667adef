"""How much of the return's variance the twin-world baseline takes out, per level.

    python -m experiments.benchmarks.twin_baseline [worlds_per_level=6] [bundle=<checkpoint>]

A bundle plays SCMLDailyEnv(twin_baseline=True) the way the PPO stage samples it: its own goal
plus Gaussian noise (``goal_std``, clipped to the action box). Per world and level it records the
discounted return of the plain reward and of the reward minus the twin's (the same seeded
world, the bundle setting its own goals). Prints one JSON line last with, per level, the
standard deviation of both returns over worlds, their ratio (the reference is the plain return
in the same worlds), the correlation of the learner's and the twin's returns, and days/s; at the
top, ``sd_ratio`` and ``learner_days_per_s`` averaged over the levels.
"""

from __future__ import annotations

import json
import tempfile
import time

import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from envs.scml import SCMLDailyEnv
from experiments.online.evaluation import executor_spec
from experiments.schemas import register_schemas

HORIZON = 40


def play(env: SCMLDailyEnv, world_seed: int, goal_std: float, gamma: float) -> np.ndarray:
    """Discounted returns (learner's plain reward, twin's reward) of one noisy episode."""
    rng = np.random.default_rng(world_seed)
    _, info = env.reset(options={"world_seed": world_seed})
    returns, discount, done = np.zeros(2), 1.0, False
    while not done:
        noise = rng.normal(0.0, goal_std, size=env.action_space.shape)
        action = np.clip(info["reference_action"] + noise, -1.0, 1.0).astype(np.float32)
        _, reward, done, _, info = env.step(action)
        twin = info["twin_reward"]
        returns += discount * np.array([reward + twin, twin])
        discount *= gamma
    return returns


@hydra.main(version_base="1.3", config_path="../../conf", config_name="benchmarks/twin_baseline")
def main(args: DictConfig) -> None:
    torch.set_num_threads(1)
    if args.worlds_per_level < 2:
        raise ValueError(f"worlds_per_level must be >= 2 for a spread, got {args.worlds_per_level}")
    result: dict = {"benchmark": "twin_baseline", "bundle": args.bundle, "levels": {}}
    with tempfile.TemporaryDirectory(prefix="hrlxf-bench-") as logs:
        for level in args.levels:
            world = {
                **OmegaConf.to_container(args.world),
                "learner_process": level,
                "log_dir": logs,
            }
            env = SCMLDailyEnv(
                world=world,
                horizon=HORIZON,
                executor=executor_spec(args.bundle),
                shaping_gamma=args.gamma,
                twin_baseline=True,
            )
            start = time.perf_counter()
            runs = np.array(
                [
                    play(env, 1000 * level + k, args.goal_std, args.gamma)
                    for k in range(args.worlds_per_level)
                ]
            )
            spent = time.perf_counter() - start
            plain, twin = runs[:, 0], runs[:, 1]
            relative = plain - twin
            result["levels"][env.world_config.position(level)] = {
                "plain_return_sd": float(plain.std(ddof=1)),
                "twin_relative_return_sd": float(relative.std(ddof=1)),
                "sd_ratio": float(relative.std(ddof=1) / max(plain.std(ddof=1), 1e-12)),
                "correlation": float(np.corrcoef(plain, twin)[0, 1]),
                "mean_relative_return": float(relative.mean()),
                "learner_days_per_s": float(args.world.n_steps * len(runs) / spent),
            }
    levels = result["levels"].values()
    result["sd_ratio"] = float(np.mean([level["sd_ratio"] for level in levels]))
    result["learner_days_per_s"] = float(np.mean([level["learner_days_per_s"] for level in levels]))
    result["worlds_per_level"] = args.worlds_per_level
    print(json.dumps(result))


register_schemas()  # the world preset starts from the world group's schema

if __name__ == "__main__":
    main()
