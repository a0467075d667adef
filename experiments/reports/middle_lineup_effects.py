"""How much a middle-level seller's score depends on who buys from it, from a balanced
evaluation's ``scores.csv`` (one row per factory per world).

Least squares over the middle competitors' rows: score = seller effect + the effects of the
competitors at the last level of that world (its buyers) + a configuration effect. Buyer
effects are identified up to a constant (two buyers a world) and printed centred. Used by
``balanced_dagger_shuffled_lineup_scml.md``:

    .venv/bin/python -m experiments.reports.middle_lineup_effects <run dir>/scores.csv
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd


def lineup_effects(rows: pd.DataFrame) -> pd.DataFrame:
    competitors = rows[~rows.filler.astype(bool)]
    names = sorted(competitors.agent.unique())
    configs = sorted(competitors.config.unique())
    design, scores = [], []
    for (config, _), world in competitors.groupby(["config", "assignment"]):
        buyers = set(world[world.position == "last"].agent)
        for seller in world[world.position == "middle"].itertuples():
            design.append(
                [seller.agent == n for n in names]
                + [n in buyers for n in names]
                + [config == c for c in configs[1:]]
            )
            scores.append(seller.score)
    if not scores:
        raise ValueError("scores.csv holds no middle-level competitor rows")
    x, y = np.array(design, dtype=float), np.array(scores)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    k = len(names)
    buyer = coef[k : 2 * k] - coef[k : 2 * k].mean()
    return pd.DataFrame({"agent": names, "buyer_effect_on_seller": buyer}).assign(
        residual_sd=float((y - x @ coef).std()), rows=len(y)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scores", help="scores.csv of a balanced evaluation")
    args = parser.parse_args()
    print(lineup_effects(pd.read_csv(args.scores)).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
