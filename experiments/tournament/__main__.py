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
    return TournamentSpec(
        competitors=tuple(t.competitors),
        n_configs=int(t.n_configs),
        n_steps=int(t.n_steps),
        n_runs_per_world=int(t.n_runs_per_world),
        max_worlds_per_config=None
        if t.max_worlds_per_config is None
        else int(t.max_worlds_per_config),
        parallelism=str(t.parallelism),
        n_workers=int(t.n_workers),
        shard_timeout_s=float(t.shard_timeout_s),
        seed=int(cfg.seed),
    )


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
