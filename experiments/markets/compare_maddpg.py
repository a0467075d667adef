"""MADDPG vs independent DDPG vs random on one task, several seeds, the same budget.

    python -m experiments.markets.compare_maddpg                       # simple_spread, seeds 0-2
    python -m experiments.markets.compare_maddpg marl_task=trading
    python -m experiments.markets.compare_maddpg marl_task=block_liquidation \
        'methods=[maddpg,iddpg,random,turn_taking,everyone_every_bar]'   # with the known answers

Writes runs.json (every run's metrics), results.md (mean, std and 95% t interval over seeds of
the final greedy return per method; differences paired by seed) and learning_curves.png drawn
from the runs' TensorBoard logs, in the run directory. Called again on the same directory
(``hydra.run.dir``) with more seeds or methods and the same task, MADDPG and budget settings,
it trains only the runs that are missing and tables them all.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from experiments.common.run_context import prepare_run, run_dir, write_atomic, write_metrics
from experiments.common.tensorboard_curves import plot_curves, t_interval
from experiments.markets.train_maddpg import METHODS, train_one
from experiments.schemas import register_schemas


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for method in dict.fromkeys(r["method"] for r in runs):
        mine = [r for r in runs if r["method"] == method]
        finals = np.array([r["final_return"] for r in mine])
        # Mean of every evaluation of a run: the area under its learning curve (learning speed).
        areas = np.array([np.mean([v for _, v in r["curve"]]) for r in mine])
        interval = t_interval(finals)
        rows.append(
            {
                "method": method,
                "mean": float(finals.mean()),
                "std": float(finals.std()),
                "low": interval["low"],
                "high": interval["high"],
                "curve_mean": float(areas.mean()),
                "curve_mean_std": float(areas.std()),
                "seeds": len(finals),
            }
        )
    return rows


def finals_by_seed(runs: list[dict[str, Any]], method: str) -> dict[int, float]:
    return {r["seed"]: r["final_return"] for r in runs if r["method"] == method}


def paired_rows(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Differences paired by seed (each seed's runs are evaluated on the same episodes):
    MADDPG minus independent DDPG, and, where the desk schedules ran, the share of the gap from
    the naive schedule to turn-taking each learner closed."""
    rows = []

    def add(name: str, values: list[float]) -> None:
        if values:
            rows.append({"comparison": name, **t_interval(np.array(values)), "seeds": len(values)})

    maddpg, iddpg = finals_by_seed(runs, "maddpg"), finals_by_seed(runs, "iddpg")
    add("maddpg - iddpg", [maddpg[s] - iddpg[s] for s in sorted(maddpg.keys() & iddpg.keys())])
    naive = finals_by_seed(runs, "everyone_every_bar")
    turns = finals_by_seed(runs, "turn_taking")
    for method in ("maddpg", "iddpg", "random"):
        learned = finals_by_seed(runs, method)
        seeds = sorted(learned.keys() & naive.keys() & turns.keys())
        add(
            f"{method}: share of the naive-to-turn-taking gap closed",
            [(learned[s] - naive[s]) / (turns[s] - naive[s]) for s in seeds],
        )
    return rows


def band(row: dict[str, Any]) -> str:
    return "-" if row["low"] is None else f"[{row['low']:.4g}, {row['high']:.4g}]"


def markdown(
    rows: list[dict[str, Any]], task: str, steps: int, paired: list[dict[str, Any]] = ()
) -> str:
    lines = [
        f"# {task}: final greedy return ({steps} env steps per run)",
        "",
        "Return = mean over agents of the per-agent episode return, averaged over the evaluation episodes.",
        "Final: the last evaluation; curve: the mean of all evaluations of a run (area under the curve).",
        "",
        "| method | final mean | final 95% t interval | final std | curve mean | curve std | seeds |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['method']} | {r['mean']:.4g} | {band(r)} | {r['std']:.4g} | {r['curve_mean']:.4g} "
        f"| {r['curve_mean_std']:.4g} | {r['seeds']} |"
        for r in rows
    ]
    if paired:
        lines += [
            "",
            "Paired by seed (95% t interval over seeds):",
            "",
            "| comparison | mean | 95% t interval | seeds |",
            "|---|---:|---|---:|",
        ]
        lines += [
            f"| {r['comparison']} | {r['mean']:.4g} | {band(r)} | {r['seeds']} |" for r in paired
        ]
    return "\n".join(lines) + "\n"


SHARED = ("marl_task", "maddpg", "learn")  # what runs must share to sit in one table


def earlier_runs(out: Path, cfg: DictConfig) -> dict[tuple[str, int], dict[str, Any]]:
    """The finished runs of an earlier call in this run directory, by (method, seed), so that
    a call with more seeds or methods trains only what is missing. Refuses a directory whose
    runs were made with other task, MADDPG or budget settings."""
    runs_file, config_file = out / "runs.json", out / "config.yaml"
    if not (runs_file.is_file() and config_file.is_file()):
        return {}
    before = OmegaConf.load(config_file)
    differ = [
        key
        for key in SHARED
        if OmegaConf.to_container(before[key], resolve=True)
        != OmegaConf.to_container(cfg[key], resolve=True)
    ]
    if differ:
        raise ValueError(
            f"{out} holds runs made with other {differ} settings: use a new hydra.run.dir"
        )
    return {(r["method"], r["seed"]): r for r in json.loads(runs_file.read_text())}


def run(cfg: DictConfig) -> dict[str, Any]:
    c = OmegaConf.to_container(cfg, resolve=True)
    unknown = [m for m in c["methods"] if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; known: {list(METHODS)}")
    done = earlier_runs(run_dir(), cfg)
    out = prepare_run(cfg)
    wanted = [(m, int(s)) for m in c["methods"] for s in c["seeds"]]
    jobs = [
        (c["marl_task"], c["maddpg"], c["learn"], m, s, out, cfg.threads)
        for m, s in wanted
        if (m, s) not in done
    ]
    with ProcessPoolExecutor(max_workers=cfg.workers, mp_context=get_context("spawn")) as pool:
        new = list(pool.map(train_one, *zip(*jobs, strict=True))) if jobs else []
    # Every run the directory holds goes in the table, the earlier ones first.
    runs = list({**done, **{(r["method"], r["seed"]): r for r in new}}.values())
    write_atomic(out / "runs.json", json.dumps(runs, indent=2))
    rows, paired = summarize(runs), paired_rows(runs)
    task = cfg.marl_task.name
    write_atomic(out / "results.md", markdown(rows, task, cfg.learn.total_env_steps, paired))
    groups: dict[str, list] = {}
    for r in runs:
        groups.setdefault(r["method"], []).append(r["tensorboard"])
    png = plot_curves(
        groups, "eval/return", out / "learning_curves.png", f"{task}: greedy evaluation return"
    )
    return write_metrics(
        out, {"task": task, "results": rows, "paired": paired, "learning_curves": str(png)}
    )


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="compare_maddpg")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
