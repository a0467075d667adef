"""One trial of the heuristic search: the heuristic with the config's parameters, exported, plays
a position-balanced tournament against fixed rivals; the metric is its paired difference to the
rival of each position.

    python -m experiments.tournament.heuristic_trial heuristic.concession_exponent.first=1.0
    python -m experiments.sweep sweep=heuristic        # Optuna studies, one per position

The heuristic plays as an export (``experiments.export.export_heuristic``), so a trial measures
exactly the agent that shipping those parameters would make. Every trial of a search plays the
same configurations (``balanced.first_config``, ``n_configs``): differences between trials are
paired on common worlds. Keep those configurations apart from the evaluation's (0-11) and the
held-out ones (1000 and up) that judge the search's result.

Writes ``agent/`` (the export), ``scores.csv`` and ``paired.csv`` (as the evaluation does) and
``metrics.json``: per position, the paired difference to that position's rival (``paired.<position>
.diff`` with ``ci_low``, ``ci_high``, ``configs``) and the heuristic's mean score.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from baselines.heuristic.params import POSITIONS, HeuristicParams
from experiments.common.run_context import prepare_run, write_atomic, write_metrics
from experiments.export import export_heuristic
from experiments.schemas import register_schemas
from experiments.tournament.balanced import BalancedSpec, run_balanced
from experiments.tournament.positions import paired_table, per_config

TRIAL_AGENT = "HRLXFSearchedHeuristic"


def run(cfg: DictConfig, out: Path | None = None) -> dict[str, Any]:
    rivals = {position: str(cfg.rivals[position]) for position in POSITIONS}
    params = HeuristicParams.from_dict(OmegaConf.to_container(cfg.heuristic, resolve=True))
    settings = OmegaConf.to_container(cfg.balanced, resolve=True)
    missing = sorted(set(rivals.values()) - set(settings["competitors"]))
    if missing:
        raise ValueError(
            f"rivals {missing} are not in balanced.competitors {settings['competitors']}"
        )
    out = prepare_run(cfg, out)
    agent = export_heuristic(out / "agent", TRIAL_AGENT, params, horizon=cfg.horizon)
    name = f"export:{agent}"
    settings["competitors"] = [name, *settings["competitors"]]
    spec = BalancedSpec.from_config(settings, cfg.seed)
    rows, failures = run_balanced(spec, out / "worlds")
    if failures:
        raise RuntimeError(f"{len(failures)} world(s) failed: {json.dumps(failures)[:2000]}")
    write_atomic(out / "scores.csv", rows.to_csv(index=False))
    paired = paired_table(rows, [name])
    write_atomic(out / "paired.csv", paired.to_csv(index=False))
    means = per_config(rows)
    ours = means[means.agent == name]
    metrics: dict[str, Any] = {
        "worlds": int(rows[["config", "assignment"]].drop_duplicates().shape[0]),
        "configs": sorted(int(c) for c in rows.config.unique()),
        "heuristic_params": params.to_dict(),
        "paired": {},
        "score": {},
    }
    for position in POSITIONS:
        row = paired[(paired.position == position) & (paired.rival == rivals[position])].iloc[0]
        metrics["paired"][position] = {
            "rival": rivals[position],
            **{key: float(row[key]) for key in ("diff", "ci_low", "ci_high")},
            "configs": int(row["configs"]),
        }
        metrics["score"][position] = float(ours[ours.position == position].score.mean())
    return write_metrics(out, metrics)


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="heuristic_trial")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
