"""Position-balanced SCML std tournaments: every competitor plays every supply-chain position
equally often, in the same world configurations, so agents can be compared per position with
paired differences and intervals over configurations.

A *configuration* is a seeded world (profiles, exogenous contracts, prices; its length drawn
from ``n_steps``); scml's world generator draws it independently of who plays. Factories of one
level differ (costs, exogenous quantities: two GreedyStdAgents at the first level of one
200-day world ended at -0.30 and 0.67), so with more competitors than levels the rotation is
over *factories* by default: with S = ceil(competitors / levels) competitor factories per level
(the first S of each level), assignment r puts competitor i on factory (i + r) mod (levels x S),
so per configuration every competitor plays every one of those factories once and rivals are
compared on the same factories (levels x S worlds). i indexes a seeded per-configuration shuffle
of the competitors: rivals on one factory still meet different neighbours within a configuration
(the rotation moves everyone), and with a fixed order those neighbours were the same in every
configuration (the middle-level seller always sold to the same two competitors), a lineup effect
no interval over configurations can see; shuffled, it is noise the intervals include.
In a configuration the factory rotation keeps every pair's offset: with B one place after A
in the shuffle, B sits one level below A in every world, so when A plays the first level B is
always at the middle, among A's buyers. Two identical first-level policies then differed by
-0.056 [-0.107, -0.007] over 8 configurations (experiments/reports/scml/heuristic/heuristic_stock_top_up.md).
``rotation="latin"`` puts competitor i on factory sigma[(i + r) mod F] with a seeded order sigma
of the F factories per configuration: still every competitor on every factory once, but who sits
where relative to whom changes from world to world.
``rotation="levels"`` plays only ``n_processes`` worlds per configuration (assignment r puts
competitor i of the shuffle on level (i + r) mod levels), each level's competitors in a seeded
random order over its first factories, so no competitor is tied to one factory or one set of
neighbours (unbiased, but pairs then differ in factory as well: compare with more
configurations, or with rotation="factories").
The remaining factories are filled with ``fillers`` (the same filler on the same factory in
every world of a configuration). Worlds run one after another, or as Ray tasks when ``ray_address`` is
set (each under a watchdog: a world past ``world_timeout_s`` is cancelled and reported).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from envs.scml.opponents import resolve_agent
from envs.scml.world_builder import (
    WORLD_MODES,
    check_length_range,
    draw_world_length,
    world_options,
)
from envs.scml.world_classes import world_class

ROTATIONS = ("factories", "latin", "levels")
TRADE_COLUMNS = (
    "sold",
    "sell_price",
    "bought",
    "buy_price",
    "shortfall_quantity",
    "shortfall_penalty",
    "storage_cost",
)
ROW_COLUMNS = (
    "config",
    "assignment",
    "n_steps",
    "agent",
    "level",
    "position",
    "score",
    "filler",
    *TRADE_COLUMNS,
)
SYSTEM_AGENTS = ("SELLER", "BUYER")  # scml's exogenous partners


@dataclass(frozen=True)
class BalancedSpec:
    """What to run (see the module doc). ``n_steps`` is the (min, max) of the world lengths."""

    competitors: tuple[str, ...]
    n_configs: int = 12
    first_config: int = 0  # configurations first_config .. first_config + n_configs - 1
    n_steps: tuple[int, int] = (50, 200)
    n_processes: int = 3
    agents_per_process: int = 4
    fillers: tuple[str, ...] = ("GreedyStdAgent",)
    seed: int = 0
    world_timeout_s: float = 1800.0
    ray_address: str | None = None
    stock_accounting: str = "scml"  # "consumed": production uses up raw stock (see envs.scml)
    # "default": scml's time limits (what tournaments run); "training": none, so the same plan
    # replays exactly (before/after checks of a change that should not change play)
    world_mode: str = "default"
    rotation: str = "factories"  # or "latin" (pair offsets mixed), "levels" (fewer worlds)
    title: str = "HRL-XF position-balanced tournament"

    @classmethod
    def from_config(cls, settings: Mapping[str, Any], seed: int) -> BalancedSpec:
        """The spec of a ``balanced`` config section (lists become tuples) with the run's seed
        (the run's ``seed`` decides the configurations, whatever the section holds)."""
        values = {**settings, "seed": int(seed)}
        for name in ("competitors", "n_steps", "fillers"):
            values[name] = tuple(values[name])
        return cls(**values)

    def validate(self) -> None:
        if len(self.competitors) < 2 or len(set(self.competitors)) != len(self.competitors):
            raise ValueError(f"need at least 2 distinct competitors, got {list(self.competitors)}")
        for name in (*self.competitors, *self.fillers):
            resolve_agent(name)
        world_class(self.stock_accounting)
        if self.world_mode not in WORLD_MODES:
            raise ValueError(f"world_mode must be one of {WORLD_MODES}, got {self.world_mode!r}")
        if self.rotation not in ROTATIONS:
            raise ValueError(f"rotation must be one of {ROTATIONS}, got {self.rotation!r}")
        check_length_range("n_steps", *self.n_steps)
        if self.n_configs < 0 or self.first_config < 0 or self.n_processes < 2:
            raise ValueError(
                "need n_configs >= 0, first_config >= 0 and n_processes >= 2, got "
                f"{self.n_configs}, {self.first_config}, {self.n_processes}"
            )
        per_level = -(-len(self.competitors) // self.n_processes)
        if per_level > self.agents_per_process:
            raise ValueError(
                f"{len(self.competitors)} competitors over {self.n_processes} levels need "
                f"agents_per_process >= {per_level}, got {self.agents_per_process}"
            )
        if per_level < self.agents_per_process and not self.fillers:
            raise ValueError("fillers must name at least one agent for the free factories")


def position_of(level: int, n_levels: int) -> str:
    return "first" if level == 0 else "last" if level == n_levels - 1 else "middle"


@dataclass(frozen=True)
class WorldPlan:
    config: int
    assignment: int
    seed: int
    n_steps: int
    slots: tuple[tuple[str, int, bool], ...]  # (agent name, level, is filler) per factory


def plan_worlds(spec: BalancedSpec) -> list[WorldPlan]:
    """Every world of the tournament: configurations x rotations of the competitors."""
    levels = spec.n_processes
    per_level = -(-len(spec.competitors) // levels)  # competitor factories per level
    n_factories = levels * per_level
    plans = []
    # A configuration depends only on (seed, its index): configurations 12-23 of one run are
    # those of a 24-configuration run, so evaluations can be extended (evaluate's include).
    for config in range(spec.first_config, spec.first_config + spec.n_configs):
        rng = np.random.default_rng([spec.seed, config])
        seed = int(rng.integers(0, 2**31 - 1))
        n_steps = draw_world_length(rng, spec.n_steps)
        rotations = levels if spec.rotation == "levels" else n_factories
        # Who shares a level and who trades with whom change with the configuration: with a
        # fixed order, competitor i always met the same neighbours (under "levels" a lineup
        # effect of about 0.2 at the first level; under "factories" the middle seller i always
        # sold to i + 1 and i + 4), an effect no interval over configurations could see.
        shuffled = [spec.competitors[k] for k in rng.permutation(len(spec.competitors))]
        # "latin": factory sigma[(i + r) mod F] with a seeded order sigma of the factories, so
        # the place of one competitor relative to another changes from world to world.
        latin = spec.rotation == "latin"
        sigma = rng.permutation(n_factories) if latin else np.arange(n_factories)
        for assignment in range(rotations):
            placed: dict[tuple[int, int], str] = {}  # (level, slot) -> competitor
            if spec.rotation != "levels":
                for i, name in enumerate(shuffled):
                    factory = int(sigma[(i + assignment) % n_factories])
                    placed[(factory % levels, factory // levels)] = name
            else:
                for level in range(levels):
                    here = [c for i, c in enumerate(shuffled) if (i + assignment) % levels == level]
                    order = np.random.default_rng([spec.seed, config, assignment, level])
                    for slot, k in enumerate(order.permutation(len(here))):
                        placed[(level, slot)] = here[k]
            slots = []
            for level in range(levels):
                for slot in range(spec.agents_per_process):
                    name = placed.get((level, slot))
                    if name is not None:
                        slots.append((name, level, False))
                    else:
                        filler = spec.fillers[
                            (level * spec.agents_per_process + slot) % len(spec.fillers)
                        ]
                        slots.append((filler, level, True))
            plans.append(WorldPlan(config, assignment, seed, n_steps, tuple(slots)))
    return plans


def play_world(
    plan: WorldPlan,
    n_levels: int,
    log_dir: str,
    stock_accounting: str = "scml",
    world_mode: str = "default",
) -> list[dict[str, Any]]:
    """Run one planned world to its end; one row per factory."""
    world_type = world_class(stock_accounting, world_mode)
    options = world_options(world_mode)
    random.seed(plan.seed)
    np.random.seed(plan.seed)
    config = world_type.generate(
        agent_types=[resolve_agent(name) for name, _, _ in plan.slots],
        agent_processes=[level for _, level, _ in plan.slots],
        n_processes=n_levels,
        n_steps=plan.n_steps,
        random_agent_types=False,
    )
    world = world_type(
        **config,
        no_logs=True,
        saved_details_level=0,
        log_folder=log_dir,
        name=f"balanced-c{plan.config}-a{plan.assignment}",
        **options,
    )
    world.run()
    scores = world.scores()
    factories = list(world.agents)[: len(plan.slots)]  # then come scml's SELLER and BUYER
    trades = trade_stats(world, factories)
    return [
        {
            "config": plan.config,
            "assignment": plan.assignment,
            "n_steps": plan.n_steps,
            "agent": name,
            "level": level,
            "position": position_of(level, n_levels),
            "score": float(scores[agent_id]),
            "filler": filler,
            **trades[agent_id],
        }
        for agent_id, (name, level, filler) in zip(factories, plan.slots, strict=True)
    ]


def trade_stats(world: Any, agent_ids: list[str]) -> dict[str, dict[str, float]]:
    """What each factory traded in a finished world, to read a score gap by: units sold and
    bought in signed negotiated contracts (exogenous ones excluded) with their mean unit prices
    (0 when none), and the shortfall and storage it paid over the world."""
    totals = {a: {"sold": 0.0, "revenue": 0.0, "bought": 0.0, "paid": 0.0} for a in agent_ids}
    for contract in world.saved_contracts:
        seller, buyer = contract["seller_name"], contract["buyer_name"]
        if contract.get("signed_at", -1) < 0 or seller in SYSTEM_AGENTS or buyer in SYSTEM_AGENTS:
            continue
        quantity, price = float(contract["quantity"]), float(contract["unit_price"])
        if seller in totals:
            totals[seller]["sold"] += quantity
            totals[seller]["revenue"] += quantity * price
        if buyer in totals:
            totals[buyer]["bought"] += quantity
            totals[buyer]["paid"] += quantity * price
    out = {}
    for agent_id, t in totals.items():
        out[agent_id] = {
            "sold": t["sold"],
            "sell_price": t["revenue"] / t["sold"] if t["sold"] else 0.0,
            "bought": t["bought"],
            "buy_price": t["paid"] / t["bought"] if t["bought"] else 0.0,
            **{
                stat: float(np.sum(world.stats[f"{stat}_{agent_id}"]))
                for stat in ("shortfall_quantity", "shortfall_penalty", "storage_cost")
            },
        }
    return out


def run_balanced(spec: BalancedSpec, log_dir: Path) -> tuple[pd.DataFrame, list[dict]]:
    """Scores (one row per factory per world) and the worlds that failed or hung."""
    spec.validate()
    log_dir.mkdir(parents=True, exist_ok=True)
    plans = plan_worlds(spec)
    if spec.ray_address:
        rows, failures = _run_on_ray(spec, plans, log_dir)
    else:
        rows, failures = [], []
        for plan in tqdm(plans, desc="worlds", unit="world"):
            try:
                rows += play_world(
                    plan, spec.n_processes, str(log_dir), spec.stock_accounting, spec.world_mode
                )
            except Exception as error:  # noqa: BLE001 - a crashed world is reported, not fatal
                failures.append(_failure(plan, f"{type(error).__name__}: {error}"))
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS)), failures


def _failure(plan: WorldPlan, reason: str) -> dict[str, Any]:
    return {"config": plan.config, "assignment": plan.assignment, "reason": reason}


def _run_on_ray(
    spec: BalancedSpec, plans: list[WorldPlan], log_dir: Path
) -> tuple[list[dict], list[dict]]:
    """One Ray task per world; a task past ``world_timeout_s`` is cancelled and reported.

    At most as many worlds as the cluster has CPUs are in flight, and a world's clock starts
    when it is handed to Ray, so the watchdog times a world's own run, not its wait behind
    others (with every world submitted at once, worlds queued for 30 minutes were cancelled).
    """
    import ray

    from experiments.common.ray_runtime import start_ray

    local = spec.ray_address == "local"
    # A local Ray gets every core of this machine: one world per core.
    start_ray(log_dir, num_cpus=os.cpu_count() or 1, address=None if local else spec.ray_address)
    task = ray.remote(num_cpus=1)(play_world)
    slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
    waiting = list(plans)
    started: dict[Any, tuple[WorldPlan, float]] = {}

    def hand_out() -> None:
        while waiting and len(started) < slots:
            plan = waiting.pop(0)
            ref = task.remote(
                plan, spec.n_processes, str(log_dir), spec.stock_accounting, spec.world_mode
            )
            started[ref] = (plan, time.monotonic())

    rows, failures = [], []
    bar = tqdm(total=len(plans), desc="worlds", unit="world")
    hand_out()
    while started:
        done, _ = ray.wait(list(started), num_returns=1, timeout=min(1.0, spec.world_timeout_s))
        for ref in done:
            plan, _ = started.pop(ref)
            try:
                rows += ray.get(ref)
            except Exception as error:  # noqa: BLE001
                failures.append(_failure(plan, f"{type(error).__name__}: {error}"))
            bar.update(1)
        for ref, (plan, since) in list(started.items()):
            if time.monotonic() - since > spec.world_timeout_s:
                ray.cancel(ref, force=True)
                started.pop(ref)
                failures.append(_failure(plan, f"cancelled after {spec.world_timeout_s:.0f} s"))
                bar.update(1)
        hand_out()
    bar.close()
    return rows, failures
