"""Table of a sweep's jobs: parameters, metrics, the best one marked.

    python -m experiments.sweep_report sweep_dir=runs/train-sweep/<date>      # Hydra multirun
    python -m experiments.sweep_report sweep_dir=runs/sweep-awr_beta/<date>   # Optuna sweep

A job is any folder under ``sweep_dir`` with a ``metrics.json`` and Hydra's
``.hydra/overrides.yaml``. Parameter columns are the overrides that differ between jobs; metric
columns are the numeric metrics (dotted for nested ones, ``metrics=[...]`` to choose). The best
job by ``metric`` (default: the Optuna study's objective, else the first metric column) in
``mode`` (max/min; default the study's direction, else max) is marked; a sweep whose studies
share rounds (one study per position) names the best job of every study's objective too. Writes
``sweep_report.md`` and ``sweep_report.json`` into ``sweep_dir`` and prints the table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hydra
import yaml
from omegaconf import DictConfig

from experiments.common.hparams import flat_metrics, parse_overrides
from experiments.common.run_context import write_atomic
from experiments.schemas import register_schemas


def jobs(sweep_dir: Path) -> list[dict[str, Any]]:
    found = []
    for metrics_file in sorted(sweep_dir.rglob("metrics.json")):
        job = metrics_file.parent
        overrides = job / ".hydra" / "overrides.yaml"
        if not overrides.is_file():
            continue
        found.append(
            {
                "job": str(job.relative_to(sweep_dir)),
                "params": parse_overrides(yaml.safe_load(overrides.read_text()) or []),
                "metrics": flat_metrics(json.loads(metrics_file.read_text())),
            }
        )
    if not found:
        raise ValueError(
            f"{sweep_dir} holds no job (a folder with metrics.json and .hydra/overrides.yaml)"
        )
    return found


def report(
    sweep_dir: Path,
    metric: str | None = None,
    mode: str | None = None,
    metrics: list[str] | None = None,
) -> dict:
    sweep_dir = Path(sweep_dir)
    found = jobs(sweep_dir)
    study = (
        json.loads((sweep_dir / "sweep.json").read_text())
        if (sweep_dir / "sweep.json").is_file()
        else {}
    )
    keys = sorted({k for j in found for k in j["params"]})
    varying = [k for k in keys if len({json.dumps(j["params"].get(k)) for j in found}) > 1] or keys
    columns = metrics or sorted({k for j in found for k in j["metrics"]})
    objectives = [value["objective"] for value in study.get("studies", {}).values()]
    metric = metric or study.get("objective") or (objectives[:1] or columns)[0]
    mode = mode or {"maximize": "max", "minimize": "min"}.get(study.get("direction"), "max")
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be max or min, got {mode!r}")
    scored = [j for j in found if metric in j["metrics"]]
    if not scored:
        raise ValueError(f"no job has the metric {metric!r}; metrics: {columns}")
    pick = max if mode == "max" else min
    best = pick(scored, key=lambda j: j["metrics"][metric])
    if metric not in columns:
        columns = [metric, *columns]
    header = ["", "job", *varying, *columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for j in found:
        cells = ["**best**" if j is best else "", j["job"]]
        cells += [str(j["params"].get(k, "")) for k in varying]
        cells += [f"{j['metrics'][c]:.4g}" if c in j["metrics"] else "" for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    per_study = {
        name: pick(
            [j for j in found if value["objective"] in j["metrics"]],
            key=lambda j, key=value["objective"]: j["metrics"][key],
        )["job"]
        for name, value in study.get("studies", {}).items()
        if any(value["objective"] in j["metrics"] for j in found)
    }
    studies = "".join(
        f"study {name}: best by {study['studies'][name]['objective']} ({mode}): {job}\n"
        for name, job in per_study.items()
    )
    text = (
        f"# Sweep {sweep_dir}\n\nbest by {metric} ({mode}): {best['job']}\n"
        + (f"\n{studies}" if studies else "")
        + "\n"
        + "\n".join(lines)
        + "\n"
    )
    write_atomic(sweep_dir / "sweep_report.md", text)
    result = {
        "metric": metric,
        "mode": mode,
        "best": best,
        "best_per_study": per_study,
        "jobs": found,
        "params": varying,
    }
    write_atomic(sweep_dir / "sweep_report.json", json.dumps(result, indent=2))
    print(text)
    return result


register_schemas()


@hydra.main(version_base="1.3", config_path="../conf", config_name="sweep_report")
def main(cfg: DictConfig) -> None:
    report(Path(cfg.sweep_dir), cfg.metric, cfg.mode, list(cfg.metrics) if cfg.metrics else None)


if __name__ == "__main__":
    main()
