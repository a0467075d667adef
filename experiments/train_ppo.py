"""Train SB3 PPO (or sb3-contrib's MaskablePPO) on any registered HRL-XF gymnasium environment.

    python -m experiments.train_ppo                                   # trading, 20k steps
    python -m experiments.train_ppo task=scml_daily algo.total_timesteps=2000
    python -m experiments.train_ppo task=scml_round algo=maskable_ppo # round env, masked actions

MaskablePPO needs an env with ``action_masks()`` (the SCML round env's grid form): it samples only
allowed choices (accept only an offer on the table, delivery offsets inside the shield's mask).
A task may name a features extractor (``extractor: module:Class``, e.g. the HRL RoundExtractor).

Writes TensorBoard logs under the tag contract (SB3's metrics mapped: charts/episodic_return,
charts/SPS, charts/learning_rate, losses/*, eval/episodic_return) under tensorboard/,
checkpoints under checkpoints/ (final.zip at the end), and metrics.json with the evaluation
return of the final policy, all in the run directory.
"""

from __future__ import annotations

import importlib
import time

import gymnasium as gym
import hydra
from omegaconf import DictConfig, OmegaConf
from sb3_contrib import MaskablePPO
from sb3_contrib.common.maskable.evaluation import evaluate_policy as evaluate_masked
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import CheckpointCallback
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor

import envs  # noqa: F401 - registers the ids
from experiments.common.curves import sb3_logger
from experiments.common.ppo_settings import PPOHyperParams
from experiments.common.run_context import prepare_run, write_metrics
from experiments.common.seeding import eval_env_seed
from experiments.schemas import register_schemas
from experiments.train_ppo_settings import PPOSettings

ALGORITHMS = {"ppo": PPO, "maskable_ppo": MaskablePPO}


def import_object(path: str):
    module, _, name = path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module), name)


def make_env(task: DictConfig) -> gym.Env:
    kwargs = OmegaConf.to_container(task.kwargs, resolve=True) if task.get("kwargs") else {}
    return gym.make(str(task.id), **kwargs)


def run(cfg: DictConfig) -> dict:
    algo = PPOSettings(**OmegaConf.to_container(cfg.algo, resolve=True))
    if algo.name not in ALGORITHMS:
        raise ValueError(f"algo.name must be one of {sorted(ALGORITHMS)}, got {algo.name!r}")
    out = prepare_run(cfg)
    env = make_env(cfg.task)
    masked = algo.name == "maskable_ppo"
    if masked and not hasattr(env.unwrapped, "action_masks"):
        raise ValueError(f"maskable_ppo needs an env with action_masks(); {cfg.task.id} has none")
    policy = (
        "MultiInputPolicy" if isinstance(env.observation_space, gym.spaces.Dict) else "MlpPolicy"
    )
    policy_kwargs = {}
    if cfg.task.get("extractor"):
        policy_kwargs["features_extractor_class"] = import_object(cfg.task.extractor)
    model = ALGORITHMS[algo.name](
        policy,
        env,
        **PPOHyperParams.pick(algo).sb3_kwargs(),
        seed=cfg.seed,
        device="cpu",
        verbose=0,
        policy_kwargs=policy_kwargs,
    )
    logger = sb3_logger(out / "tensorboard")
    model.set_logger(logger)
    checkpoints = out / "checkpoints"
    start = time.perf_counter()
    model.learn(
        total_timesteps=algo.total_timesteps,
        callback=CheckpointCallback(
            save_freq=algo.checkpoint_every, save_path=str(checkpoints), name_prefix="ppo"
        ),
        progress_bar=False,
    )
    elapsed = time.perf_counter() - start
    model.save(str(checkpoints / "final"))
    eval_env = Monitor(make_env(cfg.task))
    eval_env.reset(seed=eval_env_seed(cfg.seed))
    evaluate = evaluate_masked if masked else evaluate_policy
    mean_return, std_return = evaluate(model, eval_env, n_eval_episodes=algo.eval_episodes)
    logger.record("eval/mean_reward", float(mean_return))
    logger.dump(model.num_timesteps)
    logger.close()
    metrics = {
        "task": cfg.task.id,
        "algorithm": algo.name,
        "total_timesteps": algo.total_timesteps,
        "env_steps_per_s": algo.total_timesteps / elapsed,
        "eval_mean_return": float(mean_return),
        "eval_std_return": float(std_return),
        "checkpoint": str(checkpoints / "final.zip"),
    }
    return write_metrics(out, metrics)


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="train_ppo")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
