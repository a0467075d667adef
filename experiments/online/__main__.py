"""Online stages: ``python -m experiments.online stage=ppo|selfplay stage.init_from=<bundle>``.

Writes, in the run directory: ``initial/`` (the bundle the stage started from), ``checkpoint/``
(the trained bundle, exportable as it is), TensorBoard curves under the tag contract
(charts/episodic_return, charts/final_score, charts/SPS, losses/*, eval/score against env steps),
and metrics.json with the paired before/after evaluation (same seeded worlds for both bundles).
Rerun in the same directory (``hydra.run.dir=<dir>``) to resume a killed stage.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.common.curves import CurveLogger
from experiments.common.ray_runtime import start_ray
from experiments.common.run_context import prepare_run, write_metrics
from experiments.common.seeding import online_eval_seeds
from experiments.common.tensorboard_curves import t_interval
from experiments.online.evaluation import bundle_scores
from experiments.online.ppo import env_kwargs, make_env, train_rllib
from experiments.online.ppo_sb3 import train_sb3
from experiments.online.selfplay import train_selfplay
from experiments.online.settings import PPOStageSettings, SelfPlaySettings
from experiments.online.value_start import resolve_value_start
from experiments.schemas import register_schemas
from policies.hrl.bundle import WEIGHTS, BundleConfig, HRLBundle

STAGES = {"ppo": PPOStageSettings, "selfplay": SelfPlaySettings}


def stage_settings(cfg: DictConfig) -> PPOStageSettings | SelfPlaySettings:
    stage = OmegaConf.to_container(cfg.stage, resolve=True)
    kind = stage.get("kind")
    if kind not in STAGES:
        raise ValueError(f"stage.kind must be one of {sorted(STAGES)} here, got {kind!r}")
    schema = STAGES[kind]
    return schema(**{f.name: stage[f.name] for f in fields(schema) if f.name in stage})


def starting_bundle(
    settings: PPOStageSettings | SelfPlaySettings, cfg: DictConfig, out: Path
) -> Path:
    """``out/initial``: a copy of ``init_from``, or fresh networks (PPO from scratch), its value
    head at zero where ``stage.value_start`` resolves so for ``init_from``."""
    initial = out / "initial"
    if (initial / WEIGHTS).is_file():
        return initial  # resumed run
    if settings.init_from:
        bundle = HRLBundle.load(settings.init_from)
    else:
        bundle = HRLBundle(BundleConfig(horizon=cfg.horizon, **OmegaConf.to_container(cfg.network)))
    if bundle.config.horizon != cfg.horizon:
        raise ValueError(
            f"checkpoint {settings.init_from} has horizon {bundle.config.horizon}, config asks {cfg.horizon}"
        )
    value_start = resolve_value_start(settings.value_start, settings.init_from)
    if value_start == "zero":
        bundle.manager.zero_value()
    extra = {"stage": "initial", "init_from": settings.init_from, "value_start": value_start}
    bundle.save(initial, extra=extra)
    return initial


def run(cfg: DictConfig, out: Path | None = None) -> dict[str, Any]:
    settings = stage_settings(cfg)
    out = prepare_run(cfg, out)
    initial = starting_bundle(settings, cfg, out)
    horizon = cfg.horizon
    world = OmegaConf.to_container(cfg.world, resolve=True)
    seeds = online_eval_seeds(cfg.seed, settings.eval_episodes)
    with CurveLogger(out / "tensorboard") as log:
        before = bundle_scores(initial, world, horizon, seeds)
        if len(before):
            log("eval/score", float(before.mean()), 0)
        if settings.kind == "selfplay":
            start_ray(out, cfg.ray.num_cpus, cfg.ray.address)
            progress = train_selfplay(settings, initial, out, world, horizon, cfg.seed, log)
        elif settings.backend == "rllib":
            start_ray(out, cfg.ray.num_cpus, cfg.ray.address)
            progress = train_rllib(settings, initial, out, world, horizon, cfg.seed, log)
        else:
            env = make_env("l2", env_kwargs("l2", initial, world, horizon, settings))
            progress = train_sb3(settings, env, initial, out, cfg.seed, log)
        after = bundle_scores(out / "checkpoint", world, horizon, seeds)
        if len(after):
            log("eval/score", float(after.mean()), int(progress["env_steps"]))
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    return write_metrics(
        out,
        {
            "stage": settings.kind,
            "settings": asdict(settings),
            "env_steps": int(progress["env_steps"]),
            "iterations": int(progress["iterations"]),
            "eval_seeds": seeds,
            "score_before": before.tolist(),
            "score_after": after.tolist(),
            "paired_difference": t_interval(after - before),
            "checkpoint": str(out / "checkpoint"),
            **({"league": progress["league"]} if "league" in progress else {}),
        },
    )


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="online")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
