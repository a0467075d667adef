"""Offline stages: ``python -m experiments.train stage=bc|awr dataset=<dir>`` (conf/train.yaml).

Writes TensorBoard logs (losses/*, eval/*, charts/learning_rate, charts/SPS against training
samples seen) under tensorboard/, the checkpoint (weights.pt,
config.json) under checkpoint/, metrics.json (validation metrics, sample counts) and the resolved
config with the git revision, in the run directory. Every ``stage.checkpoint_every`` epochs the
training state goes to train_state.pt; rerunning in the same directory resumes from it.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.common.curves import CurveLogger
from experiments.common.run_context import prepare_run, write_metrics
from experiments.datasets.expert_data import ExpertData
from experiments.schemas import register_schemas
from experiments.train.samples import OfflineSamples
from experiments.train.stages import StageSettings, sample_counts, train_stage
from policies.hrl.bundle import BundleConfig, HRLBundle

TRAIN_STATE = "train_state.pt"  # the running stage's resumable state (removed when it ends)


def run(cfg: DictConfig, out: Path | None = None) -> dict[str, Any]:
    out = prepare_run(cfg, out)
    stage = OmegaConf.to_container(cfg.stage, resolve=True, throw_on_missing=True)
    settings = StageSettings(
        **{f.name: stage[f.name] for f in fields(StageSettings) if f.name in stage}
    )
    by_level = cfg.get("experts_by_level")
    data = ExpertData.load(cfg.dataset, OmegaConf.to_container(by_level) if by_level else None)
    samples = OfflineSamples.build(
        data,
        cfg.horizon,
        cfg.history_length,
        cfg.val_fraction,
        cfg.seed,
        cfg.gamma,
        cfg.shaping,
        str(cfg.get("l2_labels", "hindsight")),
    )
    if stage.get("init_from"):
        bundle = HRLBundle.load(stage["init_from"])
        if bundle.config.horizon != cfg.horizon:
            raise ValueError(
                f"checkpoint {stage['init_from']} has horizon {bundle.config.horizon}, config asks {cfg.horizon}"
            )
    else:
        bundle = HRLBundle(
            BundleConfig(
                horizon=cfg.horizon,
                history_length=cfg.history_length,
                **OmegaConf.to_container(cfg.network),
            )
        )
    state_path = out / TRAIN_STATE
    with CurveLogger(out / "tensorboard") as writer:
        metrics = train_stage(bundle, samples, settings, cfg.seed, writer, state_path)
    bundle.save(
        out / "checkpoint",
        extra={"stage": settings.kind, "dataset": str(cfg.dataset), "metrics": metrics},
    )
    state_path.unlink(missing_ok=True)  # the stage is complete: its checkpoint is the record
    return write_metrics(
        out,
        {
            "stage": settings.kind,
            **metrics,
            **sample_counts(samples),
            "checkpoint": str(out / "checkpoint"),
        },
    )


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="train")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
