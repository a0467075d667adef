"""Position-balanced evaluation of SCML std agents (conf/evaluate.yaml).

    python -m experiments.tournament.evaluate                                   # 12 configs, 50-200 days
    python -m experiments.tournament.evaluate balanced=smoke                    # seconds
    python -m experiments.tournament.evaluate 'balanced.competitors=[export:agents/awr,PenguinAgent,AS0]' 'focus=[export:agents/awr]'
    python -m experiments.tournament.evaluate balanced.ray_address=auto         # spread over a Ray cluster
    python -m experiments.tournament.evaluate balanced.first_config=12 'include=[<12-config run>]'  # 24 configs
    python -m experiments.tournament.evaluate balanced.n_configs=0 'include=[<run a>,<run b>]'     # tables only

Writes scores.csv (one row per factory per world, with what it traded), positions.csv,
paired.csv and trades.csv (units and prices per agent and position), results.md,
failures.json and summary.json (verdicts per focus agent and position) to the run directory.
``include`` joins the worlds of earlier runs of the same tournament (every setting but
``n_configs``, ``first_config``, ``ray_address``, ``world_timeout_s`` and ``title`` equal, no
configuration twice) to this run's before the tables are made.
"""

from __future__ import annotations

import json
from pathlib import Path

import hydra
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.common.run_context import prepare_run, write_atomic
from experiments.schemas import register_schemas
from experiments.tournament.balanced import BalancedSpec, run_balanced
from experiments.tournament.positions import (
    markdown,
    paired_table,
    position_table,
    trade_table,
    verdicts,
)

# Settings that may differ between runs joined into one evaluation: which configurations, and how.
JOINABLE = ("n_configs", "first_config", "ray_address", "world_timeout_s", "title")


def load_included(spec: BalancedSpec, runs: list[Path]) -> tuple[pd.DataFrame, list[dict]]:
    """The scores and failures of earlier evaluations of the same tournament as ``spec``.

    Raises ValueError naming the run and the setting where a run is not of the same tournament,
    and the configurations a run shares with this run or another included one.
    """
    ours = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in spec.__dict__.items()
        if key not in JOINABLE
    }
    seen = {c: "this run" for c in range(spec.first_config, spec.first_config + spec.n_configs)}
    frames: list[pd.DataFrame] = []
    failures: list[dict] = []
    for run in runs:
        scores, config_file = run / "scores.csv", run / "config.yaml"
        if not scores.is_file() or not config_file.is_file():
            raise ValueError(f"include: {run} has no scores.csv and config.yaml of an evaluation")
        saved = OmegaConf.load(config_file)
        theirs = {**OmegaConf.to_container(saved.balanced), "seed": int(saved.seed)}
        for key, value in ours.items():
            if theirs.get(key, getattr(BalancedSpec, key, None)) != value:
                raise ValueError(
                    f"include: {run} is another tournament: {key} is {theirs.get(key)!r}, "
                    f"here {value!r}"
                )
        rows = pd.read_csv(scores)
        for config in sorted(set(rows.config)):
            if config in seen:
                raise ValueError(
                    f"include: configuration {config} is in both {seen[config]} and {run}"
                )
            seen[config] = str(run)
        frames.append(rows)
        failures += json.loads((run / "failures.json").read_text())
    return pd.concat(frames, ignore_index=True), failures


def run(cfg: DictConfig, out: Path | None = None) -> dict:
    spec = BalancedSpec.from_config(OmegaConf.to_container(cfg.balanced, resolve=True), cfg.seed)
    focus = list(cfg.focus)
    unknown = sorted(set(focus) - set(spec.competitors))
    if unknown:
        raise ValueError(f"focus agents {unknown} are not competitors {list(spec.competitors)}")
    included = [Path(run) for run in cfg.include]
    if spec.n_configs == 0 and not included:
        raise ValueError("nothing to evaluate: balanced.n_configs is 0 and include is empty")
    spec.validate()
    earlier, earlier_failures = load_included(spec, included) if included else (None, [])
    out = prepare_run(cfg, out)  # only once the settings are known good: nothing half-written
    rows, failures = run_balanced(spec, out / "worlds")
    if earlier is not None:
        rows = pd.concat([earlier, rows], ignore_index=True)[list(rows.columns)]
        failures = earlier_failures + failures
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
        "configs": int(rows.config.nunique()),
        "included": [str(run) for run in included],
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
