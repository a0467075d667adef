"""Train MADDPG, independent DDPG, or evaluate a random policy (or, on the trading tasks, a
scripted desk schedule) on a PettingZoo task.

    python -m experiments.markets.train_maddpg                                  # MADDPG on simple_spread
    python -m experiments.markets.train_maddpg method=iddpg marl_task=trading learn.total_env_steps=20000

Writes TensorBoard scalars (eval/return, charts/episodic_return, charts/SPS, losses/critic, ...) under
tensorboard/<method>_seed<seed>/, the final checkpoint (maddpg.pt) and metrics.json with the
evaluation curve, the final greedy return and the training throughput.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from baselines.desk_schedules import SCHEDULES
from experiments.common.curves import CurveLogger
from experiments.common.run_context import prepare_run, write_metrics
from experiments.common.seeding import eval_env_seed
from experiments.markets.marl_tasks import env_factory
from experiments.schemas import register_schemas
from policies.maddpg import MADDPG, MADDPGConfig, ParallelEnvBatch
from policies.maddpg.learn import ActFn, LearnSettings, learn

# Learners, the random policy, and the trading tasks' scripted desk schedules (known answers).
METHODS = ("maddpg", "iddpg", "random", *SCHEDULES)


def maddpg_config(maddpg: dict[str, Any], method: str) -> MADDPGConfig:
    """The trainer's settings from the ``maddpg`` config group; ``method`` maddpg or iddpg sets
    whether the critics are centralized."""
    return MADDPGConfig(
        **{
            **maddpg,
            "hidden_sizes": tuple(maddpg["hidden_sizes"]),
            "centralized": method == "maddpg",
        }
    )


def schedule_policy(make_env, name: str) -> ActFn:
    """The desk schedule ``name`` (baselines.desk_schedules) as critic-space actions: a sold
    block is the trade -1 (one-hot of its level for discrete actions), a hold 0."""
    env = make_env()
    if not (hasattr(env, "env_action") and hasattr(env, "episode_length")):
        raise ValueError(f"method {name!r} is a desk schedule: it needs a trading task")
    spaces = [env.action_space(a) for a in env.possible_agents]

    def act(obs: list[np.ndarray]) -> list[np.ndarray]:
        sells = SCHEDULES[name](np.stack(obs, axis=1), env.episode_length)
        out = []
        for i, space in enumerate(spaces):
            if isinstance(space, gym.spaces.Discrete):
                levels = np.where(sells[:, i], env.env_action(-1.0), env.env_action(0.0))
                out.append(np.eye(space.n, dtype=np.float32)[levels])
            else:
                out.append(np.where(sells[:, i], -1.0, 0.0).astype(np.float32)[:, None])
        return out

    return act


def train_one(
    task: dict[str, Any],
    maddpg: dict[str, Any],
    learn_settings: dict[str, Any],
    method: str,
    seed: int,
    out: Path,
    threads: int = 1,
) -> dict[str, Any]:
    """One run (plain arguments, so it can run in a worker process). Returns its metrics."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    torch.set_num_threads(threads)
    make_env = env_factory(OmegaConf.create(task))
    settings = LearnSettings(**learn_settings, seed=seed, eval_seed=eval_env_seed(seed))
    trainer, fixed = None, None
    if method in SCHEDULES:
        fixed = schedule_policy(make_env, method)
    elif method != "random":
        config = maddpg_config(maddpg, method)
        spaces = ParallelEnvBatch(make_env, n_envs=1, seed=seed)
        trainer = MADDPG(
            spaces.agents, spaces.observation_spaces, spaces.action_spaces, config, seed
        )
    log_dir = Path(out) / "tensorboard" / f"{method}_seed{seed}"
    with CurveLogger(log_dir) as writer:
        start = time.perf_counter()
        curve = learn(make_env, settings, trainer, writer, fixed_policy=fixed)
        elapsed = time.perf_counter() - start
    checkpoint = None
    if trainer is not None:
        checkpoint = Path(out) / "checkpoints" / f"{method}_seed{seed}.pt"
        trainer.save(checkpoint)
    return {
        "task": task["name"],
        "method": method,
        "seed": seed,
        "final_return": curve[-1][1],
        "curve": curve,
        "env_steps": settings.total_env_steps,
        "env_steps_per_s": settings.total_env_steps / elapsed,
        "tensorboard": str(log_dir),
        "checkpoint": str(checkpoint) if checkpoint else None,
    }


def run(cfg: DictConfig) -> dict[str, Any]:
    out = prepare_run(cfg)
    container = OmegaConf.to_container(cfg, resolve=True)
    metrics = train_one(
        container["marl_task"],
        container["maddpg"],
        container["learn"],
        cfg.method,
        cfg.seed,
        out,
        cfg.threads,
    )
    return write_metrics(out, metrics)


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="train_maddpg")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
