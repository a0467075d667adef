"""Tournament results: per-type statistics, a markdown table and a bar chart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.common.run_context import write_atomic


def short_type_name(agent_type: str) -> str:
    """'scml.oneshot.sysagents.DefaultOneShotAdapter:pkg.mod.Agent' -> 'Agent'."""
    return agent_type.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def summarize(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean, median, std and count of the score per agent type, best mean first."""
    if scores.empty:
        raise ValueError("the tournament produced no scores")
    named = scores.assign(agent=scores["agent_type"].map(short_type_name))
    table = named.groupby("agent")["score"].agg(["mean", "median", "std", "count"])
    return table.sort_values("mean", ascending=False).reset_index()


def markdown_table(summary: pd.DataFrame) -> str:
    lines = ["| agent | mean | median | std | count |", "|---|---:|---:|---:|---:|"]
    for row in summary.itertuples(index=False):
        std = "" if pd.isna(row.std) else f"{row.std:.3f}"
        lines.append(f"| {row.agent} | {row.mean:.3f} | {row.median:.3f} | {std} | {row.count} |")
    return "\n".join(lines) + "\n"


def bar_chart(summary: pd.DataFrame, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(summary)), 3.5))
    ax.bar(
        summary["agent"],
        summary["mean"],
        yerr=summary["std"].fillna(0.0),
        capsize=4,
        color="#4a7ab7",
    )
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_ylabel("score (1 = break even)")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(path)


def write_reports(scores: pd.DataFrame, out_dir: Path, title: str) -> pd.DataFrame:
    """scores.csv, summary.csv, results.md and scores.png in ``out_dir``; returns the summary."""
    summary = summarize(scores)
    write_atomic(out_dir / "scores.csv", scores.to_csv(index=False))
    write_atomic(out_dir / "summary.csv", summary.to_csv(index=False))
    write_atomic(out_dir / "results.md", f"# {title}\n\n" + markdown_table(summary))
    bar_chart(summary, out_dir / "scores.png", title)
    return summary
