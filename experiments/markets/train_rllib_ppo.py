"""Multi-agent PPO with RLlib on the trading simulator (or any marl_task), shared or per-type.

    python -m experiments.markets.train_rllib_ppo                         # per-type policies, 20 iterations
    python -m experiments.markets.train_rllib_ppo sharing=shared iterations=5

Writes TensorBoard scalars (charts/episodic_return, charts/episodic_return/<module>, losses/<module>/..., charts/SPS)
under tensorboard/, an RLlib checkpoint under checkpoint/, and metrics.json, in the run directory.
"""

from __future__ import annotations

import time
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.common import rllib_ppo
from experiments.common.curves import CurveLogger
from experiments.common.ppo_settings import RLlibPPOSettings
from experiments.common.ray_runtime import start_ray
from experiments.common.run_context import prepare_run, write_metrics
from experiments.markets.marl_tasks import env_factory
from experiments.schemas import register_schemas


def run(cfg: DictConfig) -> dict[str, Any]:
    out = prepare_run(cfg)
    rllib_ppo.module_of("x_0", cfg.sharing)  # a bad sharing name fails before Ray starts
    start_ray(out, cfg.ray.num_cpus, cfg.ray.address)
    make_env = env_factory(cfg.marl_task)
    ppo = RLlibPPOSettings(**OmegaConf.to_container(cfg.ppo, resolve=True))
    algo, modules = rllib_ppo.build_ppo(
        make_env, f"hrlxf-{cfg.marl_task.name}", cfg.sharing, ppo, cfg.seed
    )
    try:
        with CurveLogger(str(out / "tensorboard")) as writer:
            start = time.perf_counter()
            history = rllib_ppo.train(algo, cfg.iterations, writer)
            elapsed = time.perf_counter() - start
        checkpoint = rllib_ppo.save(algo, out / "checkpoint")
    finally:
        algo.stop()
    final = history[-1]
    return write_metrics(
        out,
        {
            "task": cfg.marl_task.name,
            "sharing": cfg.sharing,
            "modules": modules,
            "iterations": cfg.iterations,
            "env_steps": final["env_steps"],
            "env_steps_per_s": final["env_steps"] / elapsed,
            "first_return": history[0].get("charts/episodic_return"),
            "final_return": final.get("charts/episodic_return"),
            "checkpoint": str(checkpoint),
        },
    )


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="train_rllib_ppo")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
