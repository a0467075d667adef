"""The curriculum as one resumable chain: collect -> BC [-> AWR] -> DAgger -> PPO -> self-play
(the main job).

    python -m experiments.curriculum                              # conf/main.yaml, small budgets
    python -m experiments.curriculum curriculum=offline           # another conf/curriculum/*.yaml
    python -m experiments.curriculum hydra.run.dir=<run> curriculum.start=ppo   # rerun from PPO

Every stage runs in its own folder of one run directory and starts from the checkpoint of the
trained stage before it (DAgger: the previous stage's learner plays the collection's worlds, the
heuristic labels its rounds, BC retrains on both). A finished stage leaves ``<stage>/DONE.json`` (its result) and is
skipped when the chain runs again in the same directory; a killed stage resumes from its own
periodic checkpoint (collection from its manifest, BC/AWR from ``train_state.pt``, PPO and
self-play from their RLlib state). ``curriculum.start=<stage>`` deletes that stage and every
later one, then reruns them. After each trained stage its agent plays the same seeded worlds
(``curriculum.eval_worlds``); the mean score is ``eval/tournament_score`` in ``tensorboard/``,
one point per stage (``eval/tournament_score_by_samples``: on the cumulative training samples).
The chain ends with every stage's export and a recommendation: every export and the shipped agent
(``recommend.shipped``, e.g. ``policies/pretrained/heuristic/agent.zip``) play a small
position-balanced tournament (``recommend.balanced``), and the chain recommends the stage whose
paired difference to the shipped agent (over configurations, positions averaged) has a 95%
interval above 0, the best such one, or else the shipped agent (printed, and in
``summary.json``). A few configurations rarely separate agents: the full evaluation is
``python -m experiments.tournament.evaluate``.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from envs.scml.opponents import EXPORT_PREFIX
from experiments.collect.__main__ import run as run_collect
from experiments.common.curves import CurveLogger
from experiments.common.run_context import prepare_run, print_tensorboard_hint, write_atomic
from experiments.common.seeding import chain_eval_seeds
from experiments.dagger import run as run_dagger
from experiments.export import export_agent
from experiments.online.__main__ import run as run_online
from experiments.online.evaluation import bundle_scores
from experiments.schemas import register_schemas
from experiments.tournament.balanced import BalancedSpec, run_balanced
from experiments.tournament.positions import paired_table
from experiments.train.__main__ import run as run_train

STAGES = ("collect", "bc", "awr", "dagger", "ppo", "selfplay")
TRAINED = ("bc", "awr", "dagger", "ppo", "selfplay")
DONE = "DONE.json"
SHARED = ("seed", "threads", "experiment_name")
PROJECT_ROOT = Path(__file__).resolve().parents[1]  # relative recommend.shipped paths start here


def section(cfg: DictConfig, **parts: Any) -> DictConfig:
    """A stage's own config: the shared top-level fields plus its sections."""
    plain = {
        k: OmegaConf.to_container(v, resolve=True) if isinstance(v, DictConfig) else v
        for k, v in parts.items()
    }
    return OmegaConf.create({**{k: cfg[k] for k in SHARED}, **plain})


def previous_checkpoint(results: dict[str, dict], order: list[str], stage: str) -> str | None:
    """The checkpoint of the last trained stage before ``stage`` in the chain."""
    for name in reversed(order[: order.index(stage)]):
        if name in TRAINED:
            return results[name]["checkpoint"]
    return None


def collect_stage(cfg, out, results, order):
    result = run_collect(section(cfg, **cfg.collect), out)
    return {**result, "samples": 0}


def offline_stage(name: str) -> Callable:
    def run(cfg, out, results, order):
        if "collect" not in results:
            raise ValueError(f"stage {name} needs the collect stage before it in the chain")
        stage = OmegaConf.to_container(cfg[name], resolve=True)
        stage["init_from"] = stage.get("init_from") or previous_checkpoint(results, order, name)
        result = run_train(
            section(cfg, **cfg.train, dataset=results["collect"]["dataset"], stage=stage), out
        )
        return {**result, "samples": int(result["samples_seen"])}

    return run


def dagger_stage(cfg, out, results, order):
    if "collect" not in results:
        raise ValueError("stage dagger needs the collect stage before it in the chain")
    start = previous_checkpoint(results, order, "dagger")
    if start is None:
        raise ValueError("stage dagger needs a trained stage (bc or awr) before it in the chain")
    bc = {**OmegaConf.to_container(cfg.bc, resolve=True), "epochs": cfg.dagger.epochs}
    dagger = section(
        cfg,
        collect=cfg.collect,
        train=cfg.train,
        bc=bc,
        dataset=results["collect"]["dataset"],
        init_from=start,
        iterations=cfg.dagger.iterations,
        teacher=cfg.dagger.teacher,
        score_final=False,
    )
    result = run_dagger(dagger, out)
    return {"checkpoint": result["checkpoint"], "samples": result["samples_seen"]}


def online_stage(name: str) -> Callable:
    def run(cfg, out, results, order):
        stage = OmegaConf.to_container(cfg[name], resolve=True)
        stage["init_from"] = stage.get("init_from") or previous_checkpoint(results, order, name)
        result = run_online(section(cfg, **cfg.online, stage=stage), out)
        return {**result, "samples": int(result["env_steps"])}

    return run


RUNNERS: dict[str, Callable] = {
    "collect": collect_stage,
    "bc": offline_stage("bc"),
    "awr": offline_stage("awr"),
    "dagger": dagger_stage,
    "ppo": online_stage("ppo"),
    "selfplay": online_stage("selfplay"),
}


def check_order(stages: list[str], start: str | None) -> None:
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        raise ValueError(f"curriculum.stages has unknown stage(s) {unknown}; known: {list(STAGES)}")
    if [s for s in STAGES if s in stages] != list(stages) or len(set(stages)) != len(stages):
        raise ValueError(f"curriculum.stages must keep the order {list(STAGES)}, got {stages}")
    if start is not None and start not in stages:
        raise ValueError(f"curriculum.start={start!r} is not one of the stages {stages}")


def stage_score(cfg: DictConfig, checkpoint: str, out: Path) -> float:
    """The agent's mean final score in the chain's fixed evaluation worlds."""
    world = {
        **OmegaConf.to_container(cfg.online.world, resolve=True),
        "log_dir": str(out / "eval_worlds"),
    }
    seeds = chain_eval_seeds(cfg.curriculum.eval_worlds)
    scores = bundle_scores(checkpoint, world, cfg.online.horizon, seeds)
    return float(scores.mean()) if len(scores) else float("nan")


def recommend(cfg: DictConfig, root: Path, exports: dict[str, str]) -> dict[str, Any]:
    """Which agent to enter: the stage ahead of the shipped agent by a paired interval above 0
    (the best such stage), else the shipped agent. Plays ``recommend.balanced`` with every stage's
    export and the shipped agent; writes ``recommend/`` (scores.csv, paired.csv)."""
    out = root / "recommend"
    shutil.rmtree(out, ignore_errors=True)  # exports may have changed: replay it
    shipped_zip = PROJECT_ROOT / cfg.recommend.shipped  # an absolute path stays as it is
    if not shipped_zip.is_file():
        raise ValueError(f"recommend.shipped: {shipped_zip} is not a file (an agent.zip)")
    shipped_dir = out / "shipped"
    with zipfile.ZipFile(shipped_zip) as archive:
        archive.extractall(shipped_dir)
    shipped = f"{EXPORT_PREFIX}{shipped_dir}"
    stage_of = {f"{EXPORT_PREFIX}{path}": name for name, path in exports.items()}
    if not stage_of:
        return {"enter": str(shipped_zip), "why": "the chain trained no stage", "configs": 0}
    settings = OmegaConf.to_container(cfg.recommend.balanced, resolve=True)
    settings["competitors"] = [*stage_of, shipped, *settings["competitors"]]
    spec = BalancedSpec.from_config(settings, cfg.seed)
    rows, failures = run_balanced(spec, out / "worlds")
    write_atomic(out / "scores.csv", rows.to_csv(index=False))
    played = set(rows.agent)
    compared = [agent for agent in stage_of if agent in played]
    if shipped not in played or not compared:
        why = f"{len(failures)} world(s) failed: the shipped agent or every stage played none"
        return {"enter": str(shipped_zip), "why": why, "failures": failures}
    paired = paired_table(rows, compared, [shipped])
    write_atomic(out / "paired.csv", paired.to_csv(index=False))
    overall = paired[paired.position == "all"]
    ahead = overall[overall.ci_low > 0].sort_values("diff", ascending=False)
    table = {
        stage_of[row.agent]: {"diff": row["diff"], "ci_low": row.ci_low, "ci_high": row.ci_high}
        for _, row in overall.iterrows()
    }
    if len(ahead):
        best = stage_of[ahead.iloc[0].agent]
        enter, why = exports[best], f"stage {best} is ahead of the shipped agent (paired, 95%)"
    else:
        enter = str(shipped_zip)
        why = (
            f"no stage is ahead of the shipped agent by a paired 95% interval over "
            f"{spec.n_configs} configuration(s)"
        )
    print("paired difference to the shipped agent (all positions):")
    for stage, row in table.items():
        print(f"  {stage}: {row['diff']:+.3f} [{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]")
    return {
        "enter": enter,
        "why": why,
        "shipped": str(shipped_zip),
        "paired_to_shipped": table,
        "configs": spec.n_configs,
        "failures": failures,
    }


def run(cfg: DictConfig) -> dict[str, Any]:
    root = prepare_run(cfg)
    order = list(cfg.curriculum.stages)
    start = cfg.curriculum.start
    check_order(order, start)
    if start is not None:
        for name in order[order.index(start) :]:
            shutil.rmtree(root / name, ignore_errors=True)
    results: dict[str, dict] = {}
    for name in order:
        marker = root / name / DONE
        if marker.is_file():
            results[name] = json.loads(marker.read_text())
            print(f"[curriculum] {name}: done before, skipped")
            continue
        print(f"[curriculum] {name}: running")
        result = RUNNERS[name](cfg, root / name, results, order)
        if name in TRAINED and cfg.curriculum.eval_worlds > 0:
            result["tournament_score"] = stage_score(cfg, result["checkpoint"], root / name)
        write_atomic(marker, json.dumps(result, indent=2, default=str))
        results[name] = result
    samples, chain_curve = 0, []
    shutil.rmtree(root / "tensorboard", ignore_errors=True)  # redrawn whole on every run
    with CurveLogger(root / "tensorboard") as log:
        for name in order:
            samples += results[name]["samples"]
            if "tournament_score" in results[name]:
                score = results[name]["tournament_score"]
                # x = the stage's place in the chain (1 = bc, ..., 5 = selfplay): the online
                # stages' few thousand steps after a million offline samples would otherwise
                # show as one vertical line.
                log("eval/tournament_score", score, STAGES.index(name))
                log("eval/tournament_score_by_samples", score, samples)
                chain_curve.append({"stage": name, "samples": samples, "score": score})
    exports = {
        name: str(
            export_agent(
                results[name]["checkpoint"], root / "exports" / name, f"HRLXF{name.upper()}"
            )
        )
        for name in order
        if name in TRAINED
    }
    recommendation = recommend(cfg, root, exports)
    summary = {
        "stages": results,
        "eval_tournament_score": chain_curve,
        "exports": exports,
        "recommendation": recommendation,
        "tensorboard": f"tensorboard --logdir {root}",
    }
    write_atomic(root / "summary.json", json.dumps(summary, indent=2, default=str))
    print(f"curriculum done: {root}")
    print(f"enter: {recommendation['enter']} ({recommendation['why']})")
    print_tensorboard_hint(root)
    return summary


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="main")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
