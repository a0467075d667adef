"""DAgger for L3/L4: the learner plays, the teacher labels its rounds, training repeats.

    python -m experiments.dagger dataset=<teacher's dataset> init_from=<its BC checkpoint>

``dataset`` is the teacher's own play (``python -m experiments.collect
expert=HeuristicStdAgent``) and ``init_from`` a checkpoint trained on it. Each iteration k:
1. *collect*: the current checkpoint plays ``collect.n_worlds`` worlds as
   :class:`experiments.collect.dagger.DAggerStdAgent`, its teacher (``teacher``, an executor)
   answering every round it met (``iter_<k>/dataset``);
2. *train*: BC (``bc``, a stage config) from the current checkpoint on the teacher's dataset plus every
   DAgger dataset so far (``iter_<k>/train/checkpoint``).
A last collection scores the final checkpoint (``score_final``; off in the main job, whose
chain scores every stage itself). Rerunning the same command in the same run
directory with more ``iterations`` continues: finished collections and trainings are kept.
The collections use the teacher dataset's seeds, levels and worlds (the ``collect`` section must match its collection), so every checkpoint and
the teacher meet the same worlds: ``dagger_table.md`` gives per level each one's mean final
score with a 95% t interval over worlds and the paired difference to the level's best, and each
collection's ``disagreement.md`` where the learner's answers, counters and goals depart from the
teacher's (experiments.collect.disagreement). With the
default hindsight L2 labels L2 learns only from the teacher's own days; with
``train.l2_labels=stated`` it learns on every day the teacher's stated goal, the learner's days
included (see experiments.collect.dagger and experiments.datasets.l2_labels).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.collect.__main__ import run as run_collect
from experiments.collect.disagreement import run as run_disagreement
from experiments.collect.expert_table import markdown, score_table, world_scores
from experiments.common.run_context import prepare_run, write_atomic
from experiments.schemas import register_schemas
from experiments.train.__main__ import run as run_train

DAGGER_AGENT = "experiments.collect.dagger.DAggerStdAgent"
FALLBACK = "baselines.heuristic.executor:HeuristicExecutor"
TRAINED = "dagger_trained.json"  # an iteration's finished training: the section it ran


def learner_params(checkpoint: str, teacher: Any, horizon: int) -> dict[str, Any]:
    """Constructor arguments of the DAgger agent (plain values: they travel to Ray workers)."""
    return {
        "executor": {
            "_target_": "policies.hrl.executor:learned_executor",
            "directory": str(Path(checkpoint).resolve()),
        },
        "fallback": FALLBACK,
        "teacher": teacher,
        "horizon": horizon,
    }


def collect(cfg: DictConfig, checkpoint: str, out: Path) -> str:
    """One DAgger collection by ``checkpoint``; returns its dataset directory."""
    section = {
        **OmegaConf.to_container(cfg.collect, resolve=True),
        "expert": DAGGER_AGENT,
        "expert_params": learner_params(
            checkpoint, OmegaConf.to_container(cfg, resolve=True)["teacher"], cfg.collect.horizon
        ),
        "dataset_dir": str(out / "dataset"),
    }
    run_collect(OmegaConf.create({**shared(cfg), **section}), out)
    return section["dataset_dir"]


def train(cfg: DictConfig, checkpoint: str, datasets: list[str], out: Path) -> str:
    """BC on the aggregated datasets from ``checkpoint``; returns the new checkpoint. An
    iteration trained before with the same section (a rerun with more ``iterations``) is kept."""
    section, done = train_section(cfg, checkpoint, datasets), out / TRAINED
    if done.exists() and json.loads(done.read_text()) == section:
        return str(out / "checkpoint")
    trained = run_train(OmegaConf.create(section), out)["checkpoint"]
    write_atomic(done, json.dumps(section, indent=2))  # only once the checkpoint is saved
    return trained


def trained_samples(train_dir: Path) -> int:
    """The training rows an iteration's BC went through (its metrics.json)."""
    metrics = train_dir / "metrics.json"
    return int(json.loads(metrics.read_text()).get("samples_seen", 0)) if metrics.is_file() else 0


def train_section(cfg: DictConfig, checkpoint: str, datasets: list[str]) -> dict[str, Any]:
    """The training config of one iteration: BC from ``checkpoint`` on ``datasets``."""
    stage = {**OmegaConf.to_container(cfg.bc, resolve=True), "init_from": checkpoint}
    train = OmegaConf.to_container(cfg.train, resolve=True)
    return {**shared(cfg), **train, "dataset": datasets, "stage": stage}


def shared(cfg: DictConfig) -> dict[str, Any]:
    return {k: cfg[k] for k in ("seed", "threads", "experiment_name")}


def run(cfg: DictConfig, out: Path | None = None) -> dict[str, Any]:
    root = prepare_run(cfg, out)
    if cfg.iterations < 1:
        raise ValueError(f"iterations must be >= 1, got {cfg.iterations}")
    teacher_data = str(Path(cfg.dataset).resolve())
    scores = world_scores(Path(teacher_data))
    checkpoint, datasets, history, samples = cfg.init_from, [teacher_data], [], 0
    for k in range(cfg.iterations + 1):
        if k == cfg.iterations and not cfg.score_final:
            break
        step = root / f"iter_{k}"
        played = collect(cfg, checkpoint, step)
        for level, by_agent in world_scores(Path(played)).items():
            scores.setdefault(level, {})[f"learner after {k} DAgger iteration(s)"] = by_agent[
                DAGGER_AGENT
            ]
        table = score_table(scores)
        text = markdown(table)
        write_atomic(root / "dagger_table.md", text)  # after every collection: progress so far
        departures = run_disagreement(OmegaConf.create({"dataset": played}))
        history.append(
            {
                "iteration": k,
                "checkpoint": checkpoint,
                "dataset": played,
                "disagreement": departures,
            }
        )
        if k == cfg.iterations:
            break
        datasets.append(played)
        checkpoint = train(cfg, checkpoint, datasets, step / "train")
        samples += trained_samples(step / "train")
    summary = {
        "iterations": history,
        "table": table,
        "checkpoint": checkpoint,
        "samples_seen": samples,
    }
    write_atomic(root / "summary.json", json.dumps(summary, indent=2, default=str))
    print(text)
    return summary


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="dagger")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
