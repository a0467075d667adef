"""The main job (README): the offline curriculum on small budgets, under one run directory.

    bash experiments/run.sh main                          # defaults (about 7 min on 2 cores)
    bash experiments/run.sh main collect.n_worlds=24      # any Hydra override

Steps, each in its own sub-directory of the run directory:
  collect/     expert play (PenguinAgent) as a versioned, resumable dataset
  bc/, awr/    the offline stages (TensorBoard logs, checkpoint, metrics.json)
  exports/     the BC and AWR agents as self-contained SCML agent directories
  tournament/  the exported agents against the heuristic, PenguinAgent and GreedyStdAgent
and summary.json with every step's headline numbers.
"""

from __future__ import annotations

import json

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.collect.__main__ import run as run_collect
from experiments.common.run_context import prepare_run, print_tensorboard_hint, write_atomic
from experiments.common.schemas import register_schemas
from experiments.export import export_agent
from experiments.tournament.__main__ import run as run_tournament
from experiments.train.__main__ import run as run_train

SHARED = ("seed", "threads", "experiment_name")


def stage_config(cfg: DictConfig, **parts) -> DictConfig:
    """A stage's config: the shared top-level fields plus its own sections."""
    base = {k: cfg[k] for k in SHARED}
    return OmegaConf.create(
        {
            **base,
            **{
                k: OmegaConf.to_container(v, resolve=True) if isinstance(v, DictConfig) else v
                for k, v in parts.items()
            },
        }
    )


def run(cfg: DictConfig) -> dict:
    root = prepare_run(cfg)
    collected = run_collect(stage_config(cfg, **cfg.collect), root / "collect")
    dataset = collected["dataset"]
    trained = {}
    for stage in ("bc", "awr"):
        section = OmegaConf.to_container(cfg[stage], resolve=True)
        if stage == "awr":
            section["init_from"] = trained["bc"]["checkpoint"]
        trained[stage] = run_train(
            stage_config(cfg, **cfg.train, dataset=dataset, stage=section), root / stage
        )
    exports = {
        stage: str(
            export_agent(
                trained[stage]["checkpoint"], root / "exports" / stage, f"HRLXF{stage.upper()}"
            )
        )
        for stage in trained
    }
    tournament = OmegaConf.to_container(cfg.tournament, resolve=True)
    tournament["competitors"] = [f"export:{path}" for path in exports.values()] + list(
        tournament["competitors"]
    )
    summary_table = run_tournament(stage_config(cfg, tournament=tournament), root / "tournament")
    summary = {
        "dataset": {
            k: collected[k]
            for k in ("dataset", "worlds", "days", "events", "deals", "worlds_per_minute")
        },
        "bc": trained["bc"],
        "awr": trained["awr"],
        "exports": exports,
        "tournament": json.loads(summary_table.to_json(orient="records")),
        "tensorboard": f"tensorboard --logdir {root}",
    }
    write_atomic(root / "summary.json", json.dumps(summary, indent=2, default=str))
    print(f"main job done: {root}")
    print_tensorboard_hint(root)
    return summary


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="main")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
