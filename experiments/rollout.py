"""Run a reference policy in an SCML environment and log episode returns to TensorBoard.

    python -m experiments.rollout                                  # heuristic, daily env
    python -m experiments.rollout env=round policy=random episodes=3
    python -m experiments.rollout opponents=winners world=default

Writes metrics.json and TensorBoard events (tags charts/episodic_return, charts/final_score,
charts/SPS) to the run directory.
"""

from __future__ import annotations

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from baselines.random_policy import RandomPolicy
from baselines.reference_policy import ReferencePolicy
from envs.scml.factory import make_env
from experiments.common.curves import CurveLogger
from experiments.common.run_context import prepare_run, write_metrics
from experiments.schemas import register_schemas


def make_policy(name: str, env, seed: int):
    if name == "random":
        return RandomPolicy(env, seed)
    if name == "heuristic":  # the env's executor is the heuristic by default
        return ReferencePolicy()
    raise ValueError(f"policy.name must be 'heuristic' or 'random', got {name!r}")


def run(cfg: DictConfig) -> dict:
    out = prepare_run(cfg)
    env = make_env(
        OmegaConf.to_container(cfg.env, resolve=True),
        OmegaConf.to_container(cfg.world, resolve=True),
        list(cfg.opponents.names),
    )
    policy = make_policy(cfg.policy.name, env, cfg.seed)
    writer = CurveLogger(out / "tensorboard")
    episodes, steps = [], 0
    writer.steps(0)
    for episode in range(cfg.episodes):
        obs, info = env.reset(seed=cfg.seed + episode)
        total, length, done = 0.0, 0, False
        while not done:
            obs, reward, done, truncated, info = env.step(policy(obs, info))
            total, length = total + reward, length + 1
            done = done or truncated
        steps += length
        episodes.append(
            {"episode": episode, "return": total, "length": length, "score": info["score"]}
        )
        writer("charts/episodic_return", total, steps)
        writer("charts/final_score", info["score"], steps)
        writer.steps(steps)
    writer.close()
    metrics = {
        "env": cfg.env.id,
        "policy": cfg.policy.name,
        "episodes": episodes,
        "mean_score": float(np.mean([e["score"] for e in episodes])),
    }
    return write_metrics(out, metrics)


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="rollout")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
