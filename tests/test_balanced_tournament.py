"""Position-balanced tournaments: the plan rotates every competitor over every position in the
same configurations; tables give per-position intervals over configurations and paired
differences; worlds also run as Ray tasks under a watchdog."""

import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from experiments.tournament.balanced import BalancedSpec, plan_worlds, run_balanced
from experiments.tournament.positions import (
    bootstrap_ci,
    markdown,
    paired_table,
    position_table,
    trade_table,
    verdicts,
)

SMOKE = BalancedSpec(
    competitors=("HeuristicStdAgent", "GreedyStdAgent", "SyncRandomStdAgent"),
    n_configs=2,
    n_steps=(8, 10),
    agents_per_process=2,
    fillers=("RandomStdAgent",),
)


@pytest.mark.parametrize("rotation", ["factories", "latin"])
def test_every_competitor_plays_every_competitor_factory_once_per_configuration(rotation):
    """Rivals meet on the same factories: 4 competitors over 3 levels use 2 factories per level,
    and each competitor plays each of those 6 once per configuration."""
    spec = BalancedSpec(
        competitors=("A.A", "B.B", "C.C", "D.D"),
        n_configs=5,
        n_steps=(50, 200),
        fillers=("F.F",),
        rotation=rotation,
    )
    plans = plan_worlds(spec)
    assert len(plans) == 5 * 6
    for config in range(5):
        worlds = [p for p in plans if p.config == config]
        assert len({(p.seed, p.n_steps) for p in worlds}) == 1  # one configuration, one world
        assert 50 <= worlds[0].n_steps <= 200
        played = Counter(
            (name, factory)
            for p in worlds
            for factory, (name, _, filler) in enumerate(p.slots)
            if not filler
        )
        assert set(played.values()) == {1} and len(played) == 4 * 6
        assert {factory for _, factory in played} == {0, 1, 4, 5, 8, 9}  # 2 per level
        for p in worlds:
            assert Counter(level for _, level, _ in p.slots) == {0: 4, 1: 4, 2: 4}
    assert len({p.n_steps for p in plans}) > 1  # lengths vary over configurations


def test_factory_rotation_changes_who_buys_from_whom_between_configurations():
    """With a fixed order the competitor on a middle factory always sold to the same two rivals
    (a lineup effect the intervals over configurations could not see); the order is now shuffled
    per configuration (that each still plays every factory once is the test above)."""
    names = ("A.A", "B.B", "C.C", "D.D", "E.E", "G.G")
    spec = BalancedSpec(competitors=names, n_configs=8, fillers=("F.F",))
    buyers_of_a = set()
    for p in plan_worlds(spec):
        levels = {name: level for name, level, filler in p.slots if not filler}
        if levels["A.A"] == 1:
            buyers_of_a.add(frozenset(n for n, lv in levels.items() if lv == 2))
    assert len(buyers_of_a) >= 4
    assert plan_worlds(spec) == plan_worlds(spec)  # seeded


def levels_of_b_while_a_is_first(rotation: str) -> list[set[int]]:
    """Per configuration, the levels B plays in the worlds where A plays the first level."""
    spec = BalancedSpec(
        competitors=("A.A", "B.B", "C.C", "D.D"), n_configs=8, fillers=("F.F",), rotation=rotation
    )
    seen: list[set[int]] = [set() for _ in range(spec.n_configs)]
    for p in plan_worlds(spec):
        levels = {name: level for name, level, filler in p.slots if not filler}
        if levels["A.A"] == 0:
            seen[p.config].add(levels["B.B"])
    return seen


def test_the_factory_rotation_fixes_a_pairs_relative_level_within_a_configuration():
    # Why "latin" exists: under "factories" B's level is a function of A's in a configuration.
    assert all(len(levels) == 1 for levels in levels_of_b_while_a_is_first("factories"))
    mixed = levels_of_b_while_a_is_first("latin")
    assert sum(len(levels) > 1 for levels in mixed) >= 4
    assert plan_worlds(BalancedSpec(competitors=("A.A", "B.B"), rotation="latin")) == plan_worlds(
        BalancedSpec(competitors=("A.A", "B.B"), rotation="latin")
    )  # seeded


def test_level_rotation_plays_every_level_once_in_a_shuffled_factory():
    spec = BalancedSpec(
        competitors=("A.A", "B.B", "C.C", "D.D"),
        n_configs=8,
        fillers=("F.F",),
        rotation="levels",
    )
    plans = plan_worlds(spec)
    assert len(plans) == 8 * 3
    factories = Counter()
    for config in range(8):
        played = Counter(
            (name, level)
            for p in plans
            if p.config == config
            for name, level, filler in p.slots
            if not filler
        )
        assert set(played.values()) == {1} and len(played) == 4 * 3
    for p in plans:
        for factory, (name, level, filler) in enumerate(p.slots):
            if name == "A.A" and level == 0 and not filler:
                factories[factory] += 1
    assert set(factories) == {0, 1}  # A shares the first level with another, in shuffled order
    # Who shares a level with A changes between configurations (no fixed lineup).
    neighbours = {
        frozenset(n for n, lv, f in p.slots if lv == level and not f and n != "A.A")
        for p in plans
        for level in range(3)
        if ("A.A", level, False) in p.slots
    }
    assert len(neighbours) >= 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"competitors": ("GreedyStdAgent",)}, "at least 2 distinct"),
        ({"competitors": ("GreedyStdAgent", "GreedyStdAgent")}, "at least 2 distinct"),
        (
            {
                "agents_per_process": 1,
                "competitors": ("A.A",) * 0 + SMOKE.competitors + ("RandomStdAgent",),
            },
            "agents_per_process >= 2",
        ),
        ({"n_steps": (3, 10)}, "4 <= min <= max"),
        ({"rotation": "slots"}, "rotation must be one of"),
        ({"world_mode": "fast"}, "world_mode must be one of"),
        ({"competitors": ("GreedyStdAgent", "NoSuchAgent")}, "unknown agent 'NoSuchAgent'"),
    ],
)
def test_bad_specs_are_named(change, message):
    spec = BalancedSpec(**{**SMOKE.__dict__, **change})
    with pytest.raises(ValueError, match=message):
        spec.validate()


def synthetic_rows(n_configs=12, seed=0):
    """A beats B by 0.1 at every position; B beats C by 0.2 only at the first position."""
    rng = np.random.default_rng(seed)
    rows = []
    for config in range(n_configs):
        base = rng.normal(1.0, 0.3)  # configurations differ a lot...
        for level, position in enumerate(("first", "middle", "last")):
            noise = rng.normal(0, 0.01, 3)  # ...agents within one little
            scores = {"A": base + 0.1, "B": base, "C": base - (0.2 if level == 0 else 0.0)}
            for (agent, score), e in zip(scores.items(), noise, strict=True):
                rows.append((config, level, 50, agent, level, position, score + e, False))
            rows.append((config, level, 50, "filler", level, position, 5.0, True))
    columns = ["config", "assignment", "n_steps", "agent", "level", "position", "score", "filler"]
    return pd.DataFrame(rows, columns=columns)


def test_paired_intervals_see_through_configuration_noise():
    rows = synthetic_rows()
    positions = position_table(rows)
    assert "filler" not in set(positions["agent"])
    a_first = positions[(positions.agent == "A") & (positions.position == "first")].iloc[0]
    assert (a_first.worlds, a_first.configs) == (12, 12)
    assert a_first.ci_low < a_first["mean"] < a_first.ci_high
    b = positions[(positions.agent == "B") & (positions.position == "first")].iloc[0]
    assert b.ci_high > a_first.ci_low  # unpaired intervals overlap: configurations vary a lot
    paired = paired_table(rows, ["A", "B"])
    ab = paired[(paired.agent == "A") & (paired.rival == "B")].set_index("position")
    assert (
        ab.loc["middle", "diff"] == pytest.approx(0.1, abs=0.02) and ab.loc["middle", "ci_low"] > 0
    )
    assert verdicts(paired, "A") == dict.fromkeys(("all", "first", "last", "middle"), "first")
    b_verdict = verdicts(paired, "B")
    assert b_verdict["first"] == "behind A" and b_verdict["middle"] == "behind A"
    with pytest.raises(ValueError, match="'Z' did not play"):
        paired_table(rows, ["Z"])


def test_bootstrap_interval_of_one_value_is_a_point():
    assert bootstrap_ci(np.array([1.5])) == (1.5, 1.5)
    low, high = bootstrap_ci(np.arange(100.0))
    assert 40 < low < 49.5 < high < 59


def test_smoke_tournament_runs_and_balances_positions(tmp_path):
    rows, failures = run_balanced(SMOKE, tmp_path)
    assert failures == []
    players = rows[~rows.filler]
    counts = players.groupby(["agent", "position"]).size()
    assert set(counts) == {2} and len(counts) == 3 * 3  # 2 configurations, every position
    assert (
        np.isfinite(rows.score).all() and (rows.groupby(["config", "assignment"]).size() == 6).all()
    )
    # What was traded: level k's negotiated sales are level k+1's negotiated purchases.
    by_level = rows.groupby(["config", "assignment", "level"])[["sold", "bought"]].sum()
    sold, bought = by_level["sold"].unstack(), by_level["bought"].unstack()
    assert (bought[0] == 0).all() and (sold[2] == 0).all() and sold[0].sum() > 0
    assert (sold[0] == bought[1]).all() and (sold[1] == bought[2]).all()
    traded = rows[rows.sold > 0]
    assert ((traded.sell_price > 0) & np.isfinite(traded.sell_price)).all()
    assert (rows.loc[rows.sold == 0, "sell_price"] == 0).all()
    trades = trade_table(rows)
    heuristic = players[(players.agent == "HeuristicStdAgent") & (players.position == "middle")]
    row = trades[(trades.agent == "HeuristicStdAgent") & (trades.position == "middle")].iloc[0]
    assert row.worlds == len(heuristic) and row.sold == pytest.approx(heuristic.sold.mean())
    if heuristic.sold.sum() > 0:
        weighted = (heuristic.sold * heuristic.sell_price).sum() / heuristic.sold.sum()
        assert row.sell_price == pytest.approx(weighted)
    else:
        assert np.isnan(row.sell_price)
    assert trades[trades.position == "first"].bought.eq(0).all()
    assert (
        "| HeuristicStdAgent | middle |"
        in markdown(
            position_table(rows), paired_table(rows, ["HeuristicStdAgent"]), "t", trades
        ).split("Trades per world")[1]
    )


def test_training_mode_replays_the_same_plan_exactly(tmp_path):
    """Without time limits a plan is deterministic: the before/after check of a change that
    must not change play compares per-world scores for equality."""
    spec = BalancedSpec(**{**SMOKE.__dict__, "world_mode": "training", "n_configs": 1})
    first, _ = run_balanced(spec, tmp_path / "a")
    second, _ = run_balanced(spec, tmp_path / "b")
    assert len(first) == 6 * 3 and list(first.score) == list(second.score)


@pytest.mark.slow
def test_worlds_run_as_ray_tasks_and_a_hung_world_is_cancelled(tmp_path):
    code = f"""
import json, sys
from dataclasses import replace
from pathlib import Path
from tests.test_balanced_tournament import SMOKE
from experiments.tournament.balanced import run_balanced
spec = replace(SMOKE, n_configs=1, ray_address="local")
rows, failures = run_balanced(spec, Path({str(tmp_path)!r}) / "a")
slow, slow_failures = run_balanced(replace(spec, world_timeout_s=0.01), Path({str(tmp_path)!r}) / "b")
# More worlds than CPUs: the queue is handed out as worlds finish, every world runs.
queued, queued_failures = run_balanced(replace(spec, n_configs=3), Path({str(tmp_path)!r}) / "c")
print(json.dumps([len(rows), failures, len(slow), [f["reason"] for f in slow_failures],
                  len(queued), queued_failures, sorted(set(queued.config))]))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    n_rows, failures, n_slow, reasons, n_queued, queued_failures, configs = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert n_rows == 3 * 6 and failures == []
    assert n_queued == 3 * 3 * 6 and queued_failures == [] and configs == [0, 1, 2]
    assert n_slow == 0 and len(reasons) == 3 and all("cancelled after" in r for r in reasons)


def test_a_balanced_tournament_can_run_with_consumed_stock(tmp_path):
    from dataclasses import replace

    rows, failures = run_balanced(
        replace(SMOKE, n_configs=1, stock_accounting="consumed"), tmp_path
    )
    assert failures == [] and len(rows) == 3 * 6 and np.isfinite(rows.score).all()
