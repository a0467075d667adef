"""Per-position results of a position-balanced tournament, with intervals over configurations.

Worlds of one configuration are correlated (same profiles and exogenous contracts), so every
interval here is a bootstrap over configurations: an agent's score in a configuration at a
position is averaged first, then configurations are resampled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.tournament.balanced import TRADE_COLUMNS
from policies.decision.market_view import POSITIONS

N_BOOT = 4000


def bootstrap_ci(values: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean (a single value: a zero-width interval)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float(values.mean()), float(values.mean())
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), (N_BOOT, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def per_config(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean score of every competitor per (configuration, position), plus position "all"."""
    players = rows[~rows["filler"].astype(bool)]
    by_position = players.groupby(["agent", "config", "position"], as_index=False)["score"].mean()
    overall = by_position.groupby(["agent", "config"], as_index=False)["score"].mean()
    overall["position"] = "all"
    return pd.concat([by_position, overall], ignore_index=True)


def position_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Agent x position (first, middle, last, all): mean, 95% interval, worlds, configurations."""
    table = per_config(rows)
    players = rows[~rows["filler"].astype(bool)]
    out = []
    for (agent, position), group in table.groupby(["agent", "position"]):
        low, high = bootstrap_ci(group["score"].to_numpy())
        played = players[(players["agent"] == agent)]
        if position != "all":
            played = played[played["position"] == position]
        out.append(
            {
                "agent": agent,
                "position": position,
                "mean": float(group["score"].mean()),
                "ci_low": low,
                "ci_high": high,
                "worlds": len(played),
                "configs": len(group),
            }
        )
    frame = pd.DataFrame(out)
    frame["order"] = frame["position"].map({p: i for i, p in enumerate((*POSITIONS, "all"))})
    frame = frame.sort_values(["order", "mean"], ascending=[True, False])
    return frame.drop(columns="order").reset_index(drop=True)


def trade_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Agent x position: what it traded per world on average (units sold and bought in
    negotiated contracts, their quantity-weighted mean prices, shortfall and storage paid)."""
    players = rows[~rows["filler"].astype(bool)].copy()
    players["revenue"] = players["sold"] * players["sell_price"]
    players["paid"] = players["bought"] * players["buy_price"]
    sums = players.groupby(["agent", "position"]).agg(
        worlds=("score", "size"),
        score=("score", "mean"),
        **{c: (c, "sum") for c in (*TRADE_COLUMNS, "revenue", "paid") if "price" not in c},
    )
    table = pd.DataFrame(
        {
            "worlds": sums["worlds"],
            "score": sums["score"],
            "sold": sums["sold"] / sums["worlds"],
            "sell_price": sums["revenue"] / sums["sold"].where(sums["sold"] > 0),
            "bought": sums["bought"] / sums["worlds"],
            "buy_price": sums["paid"] / sums["bought"].where(sums["bought"] > 0),
            **{
                c: sums[c] / sums["worlds"]
                for c in ("shortfall_quantity", "shortfall_penalty", "storage_cost")
            },
        }
    ).reset_index()
    table["order"] = table["position"].map({p: i for i, p in enumerate(POSITIONS)})
    table = table.sort_values(["order", "score"], ascending=[True, False])
    return table.drop(columns="order").reset_index(drop=True)


def paired_table(
    rows: pd.DataFrame, agents: list[str], rivals: list[str] | None = None
) -> pd.DataFrame:
    """For every agent and rival at every position: the mean over configurations of the paired
    difference (agent - rival, same configuration, same position) and its 95% interval."""
    table = per_config(rows).pivot_table(
        index=["config", "position"], columns="agent", values="score"
    )
    names = sorted(set(per_config(rows)["agent"]))
    out = []
    for agent in agents:
        if agent not in names:
            raise ValueError(f"{agent!r} did not play; competitors: {names}")
        for rival in rivals or [n for n in names if n != agent]:
            if rival not in names:
                raise ValueError(f"rival {rival!r} did not play; competitors: {names}")
            for position in (*POSITIONS, "all"):
                if position not in table.index.get_level_values("position"):
                    continue
                both = table.xs(position, level="position")[[agent, rival]].dropna()
                if both.empty:
                    continue
                diff = (both[agent] - both[rival]).to_numpy()
                low, high = bootstrap_ci(diff)
                out.append(
                    {
                        "agent": agent,
                        "rival": rival,
                        "position": position,
                        "diff": float(diff.mean()),
                        "ci_low": low,
                        "ci_high": high,
                        "configs": len(diff),
                    }
                )
    return pd.DataFrame(out)


def verdicts(paired: pd.DataFrame, agent: str) -> dict[str, str]:
    """Per position: "first" if the paired interval against every rival lies above 0, "level
    with" if none lies below 0, else "behind <rivals whose interval lies above it>"."""
    out = {}
    mine = paired[paired["agent"] == agent]
    for position, group in mine.groupby("position"):
        if (group["ci_low"] > 0).all():
            out[position] = "first"
        elif (group["ci_high"] >= 0).all():
            out[position] = "level with"
        else:
            ahead = sorted(group.loc[group["ci_high"] < 0, "rival"])
            out[position] = "behind " + ", ".join(ahead)
    return out


def markdown(
    positions: pd.DataFrame,
    paired: pd.DataFrame,
    title: str,
    trades: pd.DataFrame | None = None,
) -> str:
    lines = [
        f"# {title}",
        "",
        "| agent | position | mean | 95% interval | worlds | configs |",
        "|---|---|---:|---|---:|---:|",
    ]
    for r in positions.itertuples():
        lines.append(
            f"| {r.agent} | {r.position} | {r.mean:.3f} | [{r.ci_low:.3f}, {r.ci_high:.3f}] "
            f"| {r.worlds} | {r.configs} |"
        )
    if len(paired):
        lines += [
            "",
            "Paired differences (agent - rival, same configurations and positions):",
            "",
            "| agent | rival | position | diff | 95% interval | configs |",
            "|---|---|---|---:|---|---:|",
        ]
        for r in paired.itertuples():
            lines.append(
                f"| {r.agent} | {r.rival} | {r.position} | {r.diff:+.3f} "
                f"| [{r.ci_low:+.3f}, {r.ci_high:+.3f}] | {r.configs} |"
            )
    if trades is not None and len(trades):
        lines += [
            "",
            "Trades per world (negotiated contracts; prices weighted by quantity; - none):",
            "",
            "| agent | position | score | sold | sell price | bought | buy price "
            "| shortfall units | shortfall paid | storage paid |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in trades.itertuples():
            lines.append(
                f"| {r.agent} | {r.position} | {r.score:.3f} | {r.sold:.1f} "
                f"| {_price(r.sell_price)} | {r.bought:.1f} | {_price(r.buy_price)} "
                f"| {r.shortfall_quantity:.1f} | {r.shortfall_penalty:.1f} | {r.storage_cost:.1f} |"
            )
    return "\n".join(lines) + "\n"


def _price(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.2f}"
