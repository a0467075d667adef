"""The curriculum as one resumable chain: collect -> BC -> AWR -> PPO -> self-play (the main job).

    python -m experiments.curriculum                              # conf/main.yaml, small budgets
    python -m experiments.curriculum curriculum=offline           # another conf/curriculum/*.yaml
    python -m experiments.curriculum hydra.run.dir=<run> curriculum.start=ppo   # rerun from PPO

Every stage runs in its own folder of one run directory and starts from the checkpoint of the
trained stage before it. A finished stage leaves ``<stage>/DONE.json`` (its result) and is
skipped when the chain runs again in the same directory; a killed stage resumes from its own
periodic checkpoint (collection from its manifest, BC/AWR from ``train_state.pt``, PPO and
self-play from their RLlib state). ``curriculum.start=<stage>`` deletes that stage and every
later one, then reruns them. After each trained stage its agent plays the same seeded worlds
(``curriculum.eval_worlds``); the mean score is ``eval/tournament_score`` in ``tensorboard/``,
one curve across stages on the cumulative training samples (offline samples seen, then env
steps). The chain ends with every stage's export, a small tournament (its title says how small;
the full evaluation is ``python -m experiments.tournament.evaluate``) and ``summary.json``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.collect.__main__ import run as run_collect
from experiments.common.curves import CurveLogger
from experiments.common.run_context import prepare_run, print_tensorboard_hint, write_atomic
from experiments.common.seeding import chain_eval_seeds
from experiments.export import export_agent
from experiments.online.__main__ import run as run_online
from experiments.online.evaluation import bundle_scores
from experiments.schemas import register_schemas
from experiments.tournament.__main__ import run as run_tournament
from experiments.train.__main__ import run as run_train

STAGES = ("collect", "bc", "awr", "ppo", "selfplay")
TRAINED = ("bc", "awr", "ppo", "selfplay")
DONE = "DONE.json"
SHARED = ("seed", "threads", "experiment_name")


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
    seeds = chain_eval_seeds(int(cfg.curriculum.eval_worlds))
    scores = bundle_scores(checkpoint, world, int(cfg.online.horizon), seeds)
    return float(scores.mean()) if len(scores) else float("nan")


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
                # x = the stage's place in the chain (1 = bc, ..., 4 = selfplay): the online
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
    tournament = OmegaConf.to_container(cfg.tournament, resolve=True)
    tournament["competitors"] = [f"export:{p}" for p in exports.values()] + list(
        tournament["competitors"]
    )
    tournament["title"] = (
        f"{tournament['title']} (small: {tournament['n_configs']} configuration(s) of "
        f"{tournament['n_steps']} days; the full evaluation is python -m experiments.tournament.evaluate)"
    )
    shutil.rmtree(root / "tournament", ignore_errors=True)  # exports may have changed: replay it
    table = run_tournament(section(cfg, tournament=tournament), root / "tournament")
    summary = {
        "stages": results,
        "eval_tournament_score": chain_curve,
        "exports": exports,
        "tournament": json.loads(table.to_json(orient="records")),
        "tensorboard": f"tensorboard --logdir {root}",
    }
    write_atomic(root / "summary.json", json.dumps(summary, indent=2, default=str))
    print(f"curriculum done: {root}")
    print_tensorboard_hint(root)
    return summary


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="main")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
