"""Position-balanced evaluation of SCML std agents (conf/evaluate.yaml).

    python -m experiments.tournament.evaluate                                   # 12 configs, 50-200 days
    python -m experiments.tournament.evaluate balanced=smoke                    # seconds
    python -m experiments.tournament.evaluate 'balanced.competitors=[export:agents/awr,PenguinAgent,AS0]' 'focus=[export:agents/awr]'
    python -m experiments.tournament.evaluate balanced.ray_address=auto         # spread over a Ray cluster

Writes scores.csv (one row per factory per world, with what it traded), positions.csv,
paired.csv and trades.csv (units and prices per agent and position), results.md,
failures.json and summary.json (verdicts per focus agent and position) to the run directory.
"""

from __future__ import annotations

import json

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.common.run_context import prepare_run, write_atomic
from experiments.common.schemas import register_schemas
from experiments.tournament.balanced import BalancedSpec, run_balanced
from experiments.tournament.positions import (
    markdown,
    paired_table,
    position_table,
    trade_table,
    verdicts,
)


def run(cfg: DictConfig) -> dict:
    out = prepare_run(cfg)
    settings = OmegaConf.to_container(cfg.balanced, resolve=True)
    spec = BalancedSpec(
        **{
            **settings,
            "competitors": tuple(settings["competitors"]),
            "n_steps": tuple(settings["n_steps"]),
            "fillers": tuple(settings["fillers"]),
            "seed": int(cfg.seed),
        }
    )
    focus = list(cfg.focus)
    unknown = sorted(set(focus) - set(spec.competitors))
    if unknown:
        raise ValueError(f"focus agents {unknown} are not competitors {list(spec.competitors)}")
    rows, failures = run_balanced(spec, out / "worlds")
    write_atomic(out / "scores.csv", rows.to_csv(index=False))
    write_atomic(out / "failures.json", json.dumps(failures, indent=2))
    positions = position_table(rows)
    paired = paired_table(rows, focus, list(cfg.rivals) if cfg.rivals else None)
    write_atomic(out / "positions.csv", positions.to_csv(index=False))
    write_atomic(out / "paired.csv", paired.to_csv(index=False))
    trades = trade_table(rows)
    write_atomic(out / "trades.csv", trades.to_csv(index=False))
    table = markdown(positions, paired, spec.title, trades)
    write_atomic(out / "results.md", table)
    summary = {
        "worlds": int(rows[["config", "assignment"]].drop_duplicates().shape[0]),
        "configs": spec.n_configs,
        "failures": len(failures),
        "verdicts": {agent: verdicts(paired, agent) for agent in focus},
    }
    write_atomic(out / "summary.json", json.dumps(summary, indent=2))
    print(table)
    print(json.dumps(summary["verdicts"], indent=2))
    print(f"results in {out}")
    return summary


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="evaluate")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
