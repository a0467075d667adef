"""Walk-forward results of position series: per-split rows, a mean table, a chained equity plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from envs.market.metrics import bar_pnl, performance
from experiments.common.run_context import write_atomic
from experiments.common.tensorboard_curves import t_interval

METRICS = (
    "return_after_costs",
    "sharpe",
    "max_drawdown",
    "turnover",
    "time_in_market",
    "position_entropy",
)


def interval(values: pd.Series, fmt: str) -> str:
    """``mean [low, high]``: a 95% t interval over the values (just the mean for one value)."""
    ci = t_interval(np.asarray(values, dtype=float))
    if ci["low"] is None:
        return f"{ci['mean']:{fmt}}"
    return f"{ci['mean']:{fmt}} [{ci['low']:{fmt}}, {ci['high']:{fmt}}]"


def group_table(frame: pd.DataFrame, key: str, value: str, title: str) -> str:
    """Markdown section: the mean ``value`` per ``key`` (in order of appearance) with a 95% t
    interval over the rest of the rows (splits x seeds)."""
    lines = ["", f"## {title}", "", f"| {key} | {value} |", "|---|---|"]
    for name, rows in frame.groupby(key, sort=False):
        lines.append(f"| {name} | {interval(rows[value], '.3f')} |")
    return "\n".join(lines) + "\n"


def paired_table(results: pd.DataFrame, reference: str, metric: str = "return_after_costs") -> str:
    """Markdown section: every other method minus ``reference`` in ``metric``, paired by test
    window (a method's row of split s and seed k against the reference's row of split s, its
    mean over seeds if it has several), 95% t interval over the pairs."""
    ref = results[results["method"] == reference].groupby("split")[metric].mean()
    if ref.empty:
        return ""
    lines = ["", f"## Paired by test window: method minus {reference} ({metric.replace('_', ' ')})"]
    lines += ["", "| method | difference | pairs |", "|---|---|---:|"]
    for method, rows in results[results["method"] != reference].groupby("method", sort=False):
        differences = rows[metric].to_numpy() - ref.loc[rows["split"]].to_numpy()
        lines.append(f"| {method} | {interval(differences, '.4f')} | {len(differences)} |")
    return "\n".join(lines) + "\n"


class WalkForwardReport:
    """Collect (split, method, positions) on test windows (and the training seed), then write
    results.csv, results.md (per method: mean over splits and seeds with a 95% t interval of
    return after costs and Sharpe; max drawdown, turnover, time in market and position entropy,
    which show a policy collapsed onto one action) and equity.png."""

    def __init__(self, cost: float, bars_per_year: float = 252.0) -> None:
        self.cost, self.bars_per_year = cost, bars_per_year
        self.rows: list[dict] = []
        self.curves: dict[str, list[np.ndarray]] = {}

    def add(
        self,
        split: int,
        method: str,
        positions: np.ndarray,
        next_returns: np.ndarray,
        seed: int = 0,
    ) -> None:
        positions = np.asarray(positions, dtype=np.float64)
        self.rows.append(
            {
                "split": split,
                "seed": seed,
                "method": method,
                **performance(positions, next_returns, self.cost, self.bars_per_year),
            }
        )
        if seed == self.rows[0]["seed"]:  # the equity plot chains one seed's test windows
            self.curves.setdefault(method, []).append(bar_pnl(positions, next_returns, self.cost))

    def write(
        self, out: Path, title: str, extra: str = "", paired_against: str | None = None
    ) -> str:
        """Write the files; results.md gets the differences to ``paired_against`` paired by test
        window (see :func:`paired_table`), then ``extra`` (markdown)."""
        results = pd.DataFrame(self.rows)
        if paired_against is not None:
            extra = paired_table(results, paired_against) + extra
        write_atomic(out / "results.csv", results.to_csv(index=False))
        grouped = results.groupby("method")
        summary = grouped[list(METRICS)].mean().sort_values("sharpe", ascending=False)
        table = [
            "| method | return after costs | Sharpe | max drawdown | turnover | time in market "
            "| position entropy |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for method, r in summary.iterrows():
            rows = results[results["method"] == method]
            table.append(
                f"| {method} | {interval(rows.return_after_costs, '.4f')} "
                f"| {interval(rows.sharpe, '.2f')} | {r.max_drawdown:.4f} | {r.turnover:.0f} "
                f"| {r.time_in_market:.2f} | {r.position_entropy:.2f} |"
            )
        n_splits, n_seeds = results["split"].nunique(), results["seed"].nunique()
        text = (
            f"# {title} ({n_splits} splits x {n_seeds} seeds, mean per test window "
            "[95% t interval over splits and seeds])\n\n" + "\n".join(table) + "\n" + extra
        )
        write_atomic(out / "results.md", text)
        self.plot(out / "equity.png")
        print(text)
        return text

    def plot(self, path: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 4))
        for method, parts in self.curves.items():
            ax.plot(np.cumsum(np.concatenate(parts)), label=method)
        ax.set_xlabel("test bars (walk-forward windows chained)")
        ax.set_ylabel("cumulative log return after costs")
        ax.legend(fontsize=8)
        fig.tight_layout()
        tmp = path.with_name(path.stem + ".tmp.png")
        fig.savefig(tmp, dpi=110)
        plt.close(fig)
        tmp.replace(path)
