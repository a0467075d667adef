"""The PPO stage: fine-tune the AWR bundle online, L2 on the daily env or L3 on the round env.

- ``level=l2``: ``HRLXF/SCMLDaily-v0``; the module is the bundle's HorizonManager
  (``DailyPlannerModule``); the day is carried out by the bundle's own (frozen) L3/L4.
- ``level=l3``: ``HRLXF/SCMLRound-v0`` in the L3 action form; the module is the bundle's
  TemporalDecisionTransformer (``ThreadPolicyModule``, masked operation and delivery, Gaussian
  residuals); the goals come from the bundle's frozen L2 and the reservation weights from its L4.
- ``level=alternate``: phases of ``alternate_every`` iterations, L2 then L3, each phase starting
  from the bundle the previous one wrote.

Every phase writes the bundle back (``phases/<n>/`` and the latest as ``checkpoint/``), so the
export takes the result as it is.
Resumable: ``checkpoints/`` holds the latest RLlib state and bundle of the running phase;
rerunning with the same run directory continues from them.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from tqdm import tqdm

from envs.scml.config import world_config
from experiments.common import rllib_ppo
from experiments.common.curves import CurveLogger, rllib_scalars
from experiments.common.run_context import write_atomic
from experiments.common.seeding import online_eval_seeds, phase_seed
from experiments.online.evaluation import bundle_scores, executor_spec, world_at_level
from experiments.online.settings import OnlineSettings, PPOStageSettings
from experiments.online.update_direction import UpdateDirection
from policies.hrl.bundle import HRLBundle

PROGRESS = "progress.json"  # the stage's own resume record: phases done, env steps so far


def env_kwargs(
    level: str, bundle_dir: Path, world: dict, horizon: int, settings: PPOStageSettings
) -> dict:
    """Constructor arguments of the stage's env for ``level``, carried out by ``bundle_dir``."""
    kwargs = {
        "world": world,
        "horizon": horizon,
        "executor": executor_spec(bundle_dir),
        "reward_shaping": settings.reward_shaping,
        "shaping_gamma": settings.gamma,
    }
    if level == "l2" and settings.twin_baseline:
        kwargs["twin_baseline"] = True
    if level == "l3":
        kwargs |= {
            "action_form": "l3",
            "reference_actions": False,
            "max_threads": settings.max_threads,
        }
    return kwargs


def make_env(level: str, kwargs: dict):
    from envs.scml import SCMLDailyEnv, SCMLRoundEnv

    return SCMLDailyEnv(**kwargs) if level == "l2" else SCMLRoundEnv(**kwargs)


def ppo_config(settings: OnlineSettings, seed: int):
    """RLlib PPO settings shared by the online stages (environment and modules left to set):
    the project's PPO config, the KL-anchored learner and the final-score callback."""
    from experiments.online.anchored_learner import AnchoredPPOTorchLearner
    from experiments.online.score_callback import ScoreCallback

    return (
        rllib_ppo.ppo_config(settings, seed, use_kl_loss=False)
        .env_runners(
            num_env_runners=settings.num_env_runners,
            num_envs_per_env_runner=settings.envs_per_runner,
            rollout_fragment_length="auto",
            # A fragment of SCML days takes minutes; RLlib's 60 s default drops every fragment
            # not back in time and asks again, so remote runners would never deliver a batch.
            sample_timeout_s=None,
            custom_resources_per_env_runner=dict(settings.runner_resources),
        )
        .learners(
            learner_class=AnchoredPPOTorchLearner,
            learner_config_dict={
                "anchor_kl_coeff": settings.anchor_kl_coeff,
                "anchor_bundle_dir": (
                    str(Path(settings.anchor_from).resolve()) if settings.anchor_from else None
                ),
            },
        )
        .callbacks(ScoreCallback)
    )


def build_algo(level: str, bundle_dir: Path, kwargs: dict, settings: PPOStageSettings, seed: int):
    """An RLlib PPO Algorithm whose module starts from ``bundle_dir``."""
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec
    from ray.tune.registry import register_env

    from policies.hrl.rllib_modules import DailyPlannerModule, ThreadPolicyModule

    env_name = f"hrlxf-ppo-{level}"
    register_env(env_name, lambda _: make_env(level, kwargs))
    module = DailyPlannerModule if level == "l2" else ThreadPolicyModule
    model_config = {
        "bundle_dir": str(bundle_dir),
        "residual_log_std": settings.residual_log_std,
        "goal_log_std": settings.goal_log_std,
        "trainable": settings.trainable,
    }
    config = (
        ppo_config(settings, seed)
        .environment(env_name, clip_actions=True, normalize_actions=False)
        .rl_module(rl_module_spec=RLModuleSpec(module_class=module, model_config=model_config))
    )
    return config.build_algo()


def phase_levels(settings: PPOStageSettings) -> list[str]:
    return ["l2", "l3"] if settings.level == "alternate" else [settings.level]


def train_rllib(
    settings: PPOStageSettings,
    start_bundle: Path,
    out: Path,
    world: dict,
    horizon: int,
    seed: int,
    log: CurveLogger,
) -> dict[str, Any]:
    """Run the stage's phases until ``env_steps``; returns counts. The bundle of every finished
    phase is ``out/checkpoint``; ``out/checkpoints`` holds the running phase's state."""
    from policies.hrl.rllib_modules import write_into_bundle

    progress_path = out / PROGRESS
    progress = (
        json.loads(progress_path.read_text())
        if progress_path.is_file()
        else {"phase": 0, "env_steps": 0, "iterations": 0, "levels": []}
    )
    check_resumable(progress, settings)
    progress["trainable"] = settings.trainable
    final_dir, running, phases = out / "checkpoint", out / "checkpoints", out / "phases"
    levels = phase_levels(settings)
    per_phase = settings.alternate_every if settings.level == "alternate" else None
    bar = tqdm(
        total=settings.env_steps, initial=progress["env_steps"], desc="PPO env steps", unit="step"
    )
    log.steps(progress["env_steps"])
    if settings.eval_every and progress["env_steps"] == 0:  # the curve starts at the start
        start = scores_by_position(Path(start_bundle), world, horizon, seed, settings)
        for position, score in start.items():
            log(f"eval/tournament_score/{position}", score, 0)
    # A killed phase whose state is saved is finished (its bundle written) even when the budget
    # is already reached, e.g. a long run stopped by rerunning it with the steps it has done.
    while progress["env_steps"] < settings.env_steps or (running / "algo").is_dir():
        level = levels[progress["phase"] % len(levels)]
        # Each phase reads the bundle of the one before from its own folder: executors are
        # cached per folder, so a folder is never rewritten within a process.
        source = phases / str(progress["phase"] - 1) if progress["phase"] > 0 else start_bundle
        kwargs = env_kwargs(level, source, world, horizon, settings)
        algo = build_algo(level, source, kwargs, settings, phase_seed(seed, progress["phase"]))
        # Before any restore: a resumed phase's drift is still measured from the phase's source.
        direction = UpdateDirection(algo.get_module().state_dict())
        try:
            phase_start = progress["env_steps"]
            if (running / "algo").is_dir():  # a killed run: continue the running phase
                algo.restore_from_path(str((running / "algo").resolve()))
                direction.resume(algo.get_module().state_dict())
                phase_start = progress.get("phase_start", phase_start)
            progress["phase_start"] = phase_start
            done_here = 0
            while progress["env_steps"] < settings.env_steps and (
                per_phase is None or done_here < per_phase
            ):
                result = algo.train()
                steps = phase_start + int(result.get("num_env_steps_sampled_lifetime", 0))
                bar.update(steps - progress["env_steps"])
                progress["env_steps"], done_here = steps, done_here + 1
                progress["iterations"] += 1
                for tag, value in rllib_scalars(result).items():
                    log(tag, value, steps)
                for tag, value in stage_scalars(result).items():
                    log(tag, value, steps)
                for tag, value in direction(algo.get_module().state_dict()).items():
                    log(tag, value, steps)
                for tag, value in goal_offset_scalars(algo.get_module()).items():
                    log(tag, value, steps)
                log.steps(steps)
                if settings.eval_every and progress["iterations"] % settings.eval_every == 0:
                    folder = out / "eval_bundles" / str(progress["iterations"])
                    scores = position_scores(algo, source, folder, world, horizon, seed, settings)
                    for position, score in scores.items():
                        log(f"eval/tournament_score/{position}", score, steps)
                if progress["iterations"] % settings.checkpoint_every == 0:
                    algo.save_to_path(str((running / "algo").resolve()))
                    write_atomic(progress_path, json.dumps(progress))
            bundle = HRLBundle.load(source)
            written = write_into_bundle(algo.get_module(), bundle)
        finally:
            algo.stop()
        extra = {"stage": "ppo", "level": level, "env_steps": progress["env_steps"]}
        bundle.save(phases / str(progress["phase"]), extra=extra)
        bundle.save(final_dir, extra=extra)
        shutil.rmtree(running, ignore_errors=True)
        progress["levels"].append(
            {"level": level, "wrote": written, "until_env_steps": progress["env_steps"]}
        )
        progress["phase"] += 1
        progress.pop("phase_start", None)
        write_atomic(progress_path, json.dumps(progress))
    bar.close()
    return progress


def check_resumable(progress: dict[str, Any], settings: PPOStageSettings) -> None:
    """A run resumes with the parts it trained (its optimizer state holds exactly those)."""
    before = progress.get("trainable", "all")  # runs saved before stage.trainable trained all
    if progress["env_steps"] > 0 and before != settings.trainable:
        raise ValueError(
            f"this run trained stage.trainable={before}; resume it with that, or start a new run "
            f"(another hydra.run.dir) for stage.trainable={settings.trainable}"
        )


def scores_by_position(
    bundle_dir: Path, world: dict, horizon: int, seed: int, settings: OnlineSettings
) -> dict[str, float]:
    """The bundle's mean final score at every level of the stage's world, in the same seeded
    worlds every time (``eval_worlds_per_position`` of them per level)."""
    config = world_config(world)
    seeds = online_eval_seeds(seed, settings.eval_worlds_per_position)
    out = {}
    for level in range(config.n_processes):
        scores = bundle_scores(bundle_dir, world_at_level(world, level), horizon, seeds)
        out[config.position(level)] = float(scores.mean())
    return out


def position_scores(algo, source: Path, folder: Path, world, horizon, seed, settings):
    """:func:`scores_by_position` of the policy being trained: its module written into a copy of
    the phase's bundle in ``folder`` (one per evaluation: executors are cached per folder)."""
    from policies.hrl.rllib_modules import write_into_bundle

    bundle = HRLBundle.load(source)
    write_into_bundle(algo.get_module(), bundle)
    bundle.save(folder)
    try:
        return scores_by_position(folder, world, horizon, seed, settings)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def goal_offset_scalars(module, name: str = "default_policy") -> dict[str, float]:
    """``losses/<module>/goal_offset/<position>``: the norm of each position's goal offset, for
    a module that trains them (``stage.trainable=goal_offsets``); none otherwise."""
    from policies.decision.market_view import POSITIONS

    manager = getattr(module, "manager", None)
    if manager is None or not manager.goal_offset.requires_grad:
        return {}
    norms = manager.goal_offset.detach().norm(dim=1).tolist()
    return {f"losses/{name}/goal_offset/{p}": n for p, n in zip(POSITIONS, norms, strict=True)}


def stage_scalars(result: dict[str, Any]) -> dict[str, float]:
    """The stage's own curves: the final world score per episode (and per position; over the
    twin world's with the twin baseline) and the anchor KL."""
    out = {}
    runners = result.get("env_runners", {})
    for name in ("final_score", "final_score_over_twin"):
        if name in runners:
            out[f"charts/{name}"] = float(runners[name])
    for position, score in runners.get("final_score_by_position", {}).items():
        if math.isfinite(float(score)):  # no episode there in this iteration: no point
            out[f"charts/final_score/{position}"] = float(score)
    for module, stats in result.get("learners", {}).items():
        if not module.startswith("__") and "anchor_kl" in stats:
            out[f"losses/{module}/anchor_kl"] = float(stats["anchor_kl"])
    return out
