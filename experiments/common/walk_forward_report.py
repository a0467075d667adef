"""Walk-forward results of position series: per-split rows, a mean table, a chained equity plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from envs.market.metrics import bar_pnl, performance
from experiments.common.run_context import write_atomic


class WalkForwardReport:
    """Collect (split, method, positions) on test windows, then write results.csv, results.md
    (mean over splits of return after costs, Sharpe, max drawdown, turnover) and equity.png."""

    def __init__(self, cost: float, bars_per_year: float = 252.0) -> None:
        self.cost, self.bars_per_year = cost, bars_per_year
        self.rows: list[dict] = []
        self.curves: dict[str, list[np.ndarray]] = {}

    def add(self, split: int, method: str, positions: np.ndarray, next_returns: np.ndarray) -> None:
        positions = np.asarray(positions, dtype=np.float64)
        self.rows.append(
            {
                "split": split,
                "method": method,
                **performance(positions, next_returns, self.cost, self.bars_per_year),
            }
        )
        self.curves.setdefault(method, []).append(bar_pnl(positions, next_returns, self.cost))

    def write(self, out: Path, title: str) -> str:
        results = pd.DataFrame(self.rows)
        write_atomic(out / "results.csv", results.to_csv(index=False))
        summary = results.groupby("method")[
            ["return_after_costs", "sharpe", "max_drawdown", "turnover"]
        ].mean()
        summary = summary.sort_values("sharpe", ascending=False)
        table = [
            "| method | return after costs | Sharpe | max drawdown | turnover |",
            "|---|---:|---:|---:|---:|",
        ]
        for method, r in summary.iterrows():
            table.append(
                f"| {method} | {r.return_after_costs:.4f} | {r.sharpe:.2f} | {r.max_drawdown:.4f} | {r.turnover:.0f} |"
            )
        n_splits = results["split"].nunique()
        text = f"# {title} ({n_splits} splits, mean per test window)\n\n" + "\n".join(table) + "\n"
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
