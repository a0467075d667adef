"""The self-play stage: the learner's L2 in several slots of one world, against a league.

RLlib multi-agent PPO on ``SCMLParallelEnv``: learner slots on every level of
``learner_levels`` (all three by default), all mapped to one shared module (the bundle's
HorizonManager, ``DailyPlannerModule``) and carried out by the starting bundle's frozen L3/L4.
``critic=central`` makes it MAPPO: the env adds every learner's observation to each one's
(``critic_state``) and ``CentralCriticPlannerModule`` values the state from all of them; the
actor, and so the export, still reads its own observation only.
Every episode the other slots are filled by one league member drawn by PFSP
(:mod:`experiments.online.league`): the built-ins, the scml-agents winners, and frozen
snapshots of the learner exported every ``snapshot_every`` iterations. Results per member come
back through the callback's metrics and update the league file after each iteration.

Writes ``league.json`` (members and statistics; kept by a resumed run), ``league_table.md``,
``snapshots/<iteration>/`` exports, ``checkpoint/`` (the trained bundle) and the curves.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from experiments.common.curves import CurveLogger, rllib_scalars
from experiments.common.run_context import write_atomic
from experiments.export import export_agent
from experiments.online.evaluation import executor_spec
from experiments.online.league import FILE, League, LeagueOpponents
from experiments.online.ppo import PROGRESS, ppo_config, stage_scalars
from experiments.online.settings import SelfPlaySettings
from experiments.online.update_direction import UpdateDirection
from policies.hrl.bundle import HRLBundle

MODULE = "learner"


def selfplay_env_kwargs(
    bundle_dir: Path, world: dict, horizon: int, settings: SelfPlaySettings
) -> dict:
    world = {
        **world,
        "learner_processes": list(settings.learner_levels),
        "learner_process_choices": None,  # self-play has learners at every level it names
        "n_learners": settings.learners_per_level,
    }
    return {
        "world": world,
        "horizon": horizon,
        "executor": executor_spec(bundle_dir),
        "reward_shaping": settings.reward_shaping,
        "shaping_gamma": settings.gamma,
        "critic_state": settings.critic == "central",
    }


def build_selfplay_algo(
    bundle_dir: Path, kwargs: dict, league_path: Path, settings: SelfPlaySettings, seed: int
):
    from ray.rllib.core.rl_module.multi_rl_module import MultiRLModuleSpec
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec
    from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv
    from ray.tune.registry import register_env

    from envs.scml.parallel_env import SCMLParallelEnv
    from policies.hrl.rllib_modules import CentralCriticPlannerModule, DailyPlannerModule

    opponents = LeagueOpponents(league_path)
    register_env(
        "hrlxf-selfplay",
        lambda _: ParallelPettingZooEnv(SCMLParallelEnv(**kwargs, opponents_fn=opponents)),
    )
    module = RLModuleSpec(
        module_class=CentralCriticPlannerModule
        if settings.critic == "central"
        else DailyPlannerModule,
        model_config={"bundle_dir": str(bundle_dir)},
    )
    config = (
        ppo_config(settings, seed)
        .environment("hrlxf-selfplay", clip_actions=True, normalize_actions=False)
        .multi_agent(policies={MODULE}, policy_mapping_fn=lambda agent_id, episode, **kw: MODULE)
        .rl_module(rl_module_spec=MultiRLModuleSpec(rl_module_specs={MODULE: module}))
    )
    return config.build_algo()


def record_results(league: League, result: dict[str, Any]) -> dict[str, float]:
    """Add an iteration's per-member results to the league; returns the iteration's win rate."""
    games = wins = 0
    for member, stats in (result.get("env_runners", {}).get("league") or {}).items():
        # A member with no episode this iteration reports NaN sums.
        counts = {k: float(np.nan_to_num(stats.get(k, 0.0))) for k in ("games", "wins", "margin")}
        if counts["games"] < 1:
            continue
        try:
            league.record(member, int(counts["games"]), int(counts["wins"]), counts["margin"])
        except KeyError:
            continue  # a snapshot retired while its episode ran
        games += int(counts["games"])
        wins += int(counts["wins"])
    return {"eval/league_win_rate": wins / games} if games else {}


def snapshot(algo, start_bundle: Path, out: Path, iteration: int) -> str:
    """Export the learner as it is now; returns its league name (``export:<dir>``)."""
    from policies.hrl.rllib_modules import write_into_bundle

    bundle = HRLBundle.load(start_bundle)
    write_into_bundle(algo.get_module(MODULE), bundle)
    checkpoint = out / "snapshots" / f"{iteration}-bundle"
    bundle.save(checkpoint, extra={"stage": "selfplay-snapshot", "iteration": iteration})
    exported = export_agent(
        checkpoint, out / "snapshots" / str(iteration), f"HRLXFSnapshot{iteration}"
    )
    return f"export:{Path(exported).resolve()}"


def train_selfplay(
    settings: SelfPlaySettings,
    start_bundle: Path,
    out: Path,
    world: dict,
    horizon: int,
    seed: int,
    log: CurveLogger,
) -> dict[str, Any]:
    from policies.hrl.rllib_modules import write_into_bundle

    league = League.create(
        out / FILE, settings.builtins, settings.winners, settings.pfsp_power, settings.pfsp_floor
    )
    progress_path, running = out / PROGRESS, out / "checkpoints"
    progress = (
        json.loads(progress_path.read_text())
        if progress_path.is_file()
        else {"env_steps": 0, "iterations": 0}
    )
    kwargs = selfplay_env_kwargs(start_bundle, world, horizon, settings)
    algo = build_selfplay_algo(start_bundle, kwargs, out / FILE, settings, seed)
    direction = UpdateDirection(algo.get_module(MODULE).state_dict(), module=MODULE)
    bar = tqdm(
        total=settings.env_steps,
        initial=progress["env_steps"],
        desc="self-play env steps",
        unit="step",
    )
    try:
        if (running / "algo").is_dir():  # a killed run: its counters come back with it
            algo.restore_from_path(str((running / "algo").resolve()))
            direction.resume(algo.get_module(MODULE).state_dict())
        log.steps(progress["env_steps"])
        while progress["env_steps"] < settings.env_steps:
            result = algo.train()
            steps = int(result.get("num_env_steps_sampled_lifetime", 0))
            bar.update(steps - progress["env_steps"])
            progress.update(env_steps=steps, iterations=progress["iterations"] + 1)
            scalars = {
                **rllib_scalars(result),
                **stage_scalars(result),
                **record_results(league, result),
                **direction(algo.get_module(MODULE).state_dict()),
            }
            for tag, value in scalars.items():
                log(tag, value, steps)
            log.steps(steps)
            if progress["iterations"] % settings.snapshot_every == 0 and settings.max_snapshots > 0:
                league.add_snapshot(
                    snapshot(algo, start_bundle, out, progress["iterations"]),
                    settings.max_snapshots,
                )
            league.save()
            if progress["iterations"] % settings.checkpoint_every == 0:
                algo.save_to_path(str((running / "algo").resolve()))
                write_atomic(progress_path, json.dumps(progress))
        bundle = HRLBundle.load(start_bundle)
        write_into_bundle(algo.get_module(MODULE), bundle)
    finally:
        algo.stop()
        bar.close()
    bundle.save(out / "checkpoint", extra={"stage": "selfplay", "env_steps": progress["env_steps"]})
    league.save()
    write_atomic(out / "league_table.md", league_markdown(league))
    shutil.rmtree(running, ignore_errors=True)
    write_atomic(progress_path, json.dumps(progress))
    return {**progress, "league": league.table()}


def league_markdown(league: League) -> str:
    lines = [
        "| member | kind | games | wins | win rate | mean score margin | PFSP probability |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in league.table():
        rate = "" if row["win_rate"] is None else f"{row['win_rate']:.2f}"
        margin = "" if row["mean_score_margin"] is None else f"{row['mean_score_margin']:+.3f}"
        lines.append(
            f"| {row['member']} | {row['kind']} | {row['games']} | {row['wins']} | {rate} | {margin} | "
            f"{row['pfsp_probability']:.2f} |"
        )
    return "\n".join(lines) + "\n"
