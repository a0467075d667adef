"""Run an SCML std tournament from config.

    python -m experiments.tournament competitors='[HeuristicStdAgent,PenguinAgent,GreedyStdAgent]'
    python -m experiments.tournament n_configs=4 n_steps=50 parallelism=parallel

Writes scores.csv, summary.csv, results.md and scores.png to the run directory.
"""

from __future__ import annotations

import json

import hydra
from omegaconf import DictConfig

from experiments.common.run_context import prepare_run, write_atomic
from experiments.tournament.report import markdown_table, write_reports
from experiments.tournament.runner import TournamentSpec, run_tournament


def spec_from_config(cfg: DictConfig) -> TournamentSpec:
    t = cfg.tournament

    def typed(name: str, kind: type):
        value = t[name]
        try:
            return None if value is None else kind(value)
        except (TypeError, ValueError) as error:
            raise ValueError(f"tournament.{name} must be {kind.__name__}, got {value!r}") from error

    return TournamentSpec(
        competitors=tuple(t.competitors),
        n_configs=typed("n_configs", int),
        n_steps=typed("n_steps", int),
        n_runs_per_world=typed("n_runs_per_world", int),
        max_worlds_per_config=typed("max_worlds_per_config", int),
        competitors_per_world=typed("competitors_per_world", int),
        parallelism=str(t.parallelism),
        n_workers=typed("n_workers", int),
        shard_timeout_s=typed("shard_timeout_s", float),
        seed=typed_seed(cfg),
    )


def typed_seed(cfg: DictConfig) -> int:
    try:
        return int(cfg.seed)
    except (TypeError, ValueError) as error:
        raise ValueError(f"seed must be an integer, got {cfg.seed!r}") from error


def run(cfg: DictConfig) -> None:
    out = prepare_run(cfg)
    scores, failures = run_tournament(spec_from_config(cfg), out)
    write_atomic(out / "failures.json", json.dumps(failures, indent=2))
    summary = write_reports(scores, out, title=str(cfg.tournament.title))
    print(markdown_table(summary))
    if failures:
        print(f"{len(failures)} shard(s) failed or hung: see {out / 'failures.json'}")
    print(f"results in {out}")


@hydra.main(version_base="1.3", config_path="../../conf", config_name="tournament")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
