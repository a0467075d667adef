"""Run an SCML std tournament from config.

    python -m experiments.tournament competitors='[HeuristicStdAgent,PenguinAgent,GreedyStdAgent]'
    python -m experiments.tournament n_configs=4 n_steps=50 parallelism=parallel

Writes scores.csv, summary.csv, results.md and scores.png to the run directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import hydra
from omegaconf import DictConfig

from experiments.common.run_context import prepare_run, write_atomic
from experiments.schemas import register_schemas
from experiments.tournament.report import markdown_table, write_reports
from experiments.tournament.runner import TournamentSpec, run_tournament


def typed(config: DictConfig, name: str, kind: type, where: str):
    """``config[name]`` converted to ``kind`` (None stays None), or an error naming the field."""
    value = config[name]
    try:
        return None if value is None else kind(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}{name} must be {kind.__name__}, got {value!r}") from error


def spec_from_config(cfg: DictConfig) -> TournamentSpec:
    t = cfg.tournament
    field = "tournament."
    return TournamentSpec(
        competitors=tuple(t.competitors),
        n_configs=typed(t, "n_configs", int, field),
        n_steps=typed(t, "n_steps", int, field),
        n_runs_per_world=typed(t, "n_runs_per_world", int, field),
        max_worlds_per_config=typed(t, "max_worlds_per_config", int, field),
        competitors_per_world=typed(t, "competitors_per_world", int, field),
        parallelism=str(t.parallelism),
        n_workers=typed(t, "n_workers", int, field),
        shard_timeout_s=typed(t, "shard_timeout_s", float, field),
        seed=typed(cfg, "seed", int, ""),
    )


def run(cfg: DictConfig, out: Path | None = None):
    out = prepare_run(cfg, out)
    scores, failures = run_tournament(spec_from_config(cfg), out)
    write_atomic(out / "failures.json", json.dumps(failures, indent=2))
    summary = write_reports(scores, out, title=cfg.tournament.title)
    print(markdown_table(summary))
    if failures:
        print(f"{len(failures)} shard(s) failed or hung: see {out / 'failures.json'}")
    print(f"results in {out}")
    return summary


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="tournament")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
