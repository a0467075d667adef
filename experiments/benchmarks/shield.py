"""Cost of the L1 shield, online (one state) and batched (logged states), against a plain loop.

    python -m experiments.benchmarks.shield [batch=4096] [repeats=2000]

Online: one full computation per call from an AWI-shaped object (H=40, 10 open threads, ~20
signed contracts): read the books, limits, time masks and clip_action for all threads.
Batched: 4096 logged states (one thread each) at once. Reference: a straightforward per-day,
per-contract Python loop computing the same Q_safe (buy and sell) and B_free, written here.
Targets: online <= 50 us/call; batched <= 2 us/state and >= 50x the loop.
Each figure is the best of several timed blocks.
Prints one JSON line last: us_per_call, us_per_state_batched, us_per_state_loop, speedup.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import hydra
import numpy as np
from omegaconf import DictConfig

from policies.shield import (
    ShieldState,
    ThreadBounds,
    clip_action,
    compute_limits,
    state_from_awi,
    thread_safe_quantities,
    time_mask,
)

HORIZON = 40
N_THREADS = 10


def fake_awi(rng: np.random.Generator, today: int = 12, n_steps: int = 50, n_contracts: int = 20):
    """An object with the AWI attributes the shield reads, holding random signed contracts."""
    supplies: dict[int, dict[str, int]] = {}
    sales: dict[int, dict[str, int]] = {}
    supplies_cost: dict[int, dict[str, int]] = {}
    sales_cost: dict[int, dict[str, int]] = {}
    for i in range(n_contracts):
        day = today + 1 + int(rng.integers(0, 10))
        q, p = int(rng.integers(1, 10)), int(rng.integers(10, 30))
        books, costs = (supplies, supplies_cost) if i % 2 else (sales, sales_cost)
        books.setdefault(day, {})[f"p{i}"] = q
        costs.setdefault(day, {})[f"p{i}"] = q * p
    return SimpleNamespace(
        current_step=today,
        n_steps=n_steps,
        n_lines=10,
        current_inventory_input=15,
        current_inventory_output=5,
        current_balance=5000.0,
        future_supplies=supplies,
        future_sales=sales,
        future_supplies_cost=supplies_cost,
        future_sales_cost=sales_cost,
        total_supplies=3,
        total_sales=2,
        supplies_cost={"a": 30},
        sales_cost={"b": 50},
        current_exogenous_input_quantity=0,
        current_exogenous_output_quantity=0,
        current_exogenous_input_price=0,
        current_exogenous_output_price=0,
        is_first_level=False,
        profile=SimpleNamespace(),
    )


def best_of(call, calls: int, blocks: int) -> float:
    """Microseconds per call: the fastest of ``blocks`` timed blocks of ``calls`` calls."""
    for _ in range(max(1, calls // 4)):
        call()
    best = float("inf")
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - start) / calls * 1e6)
    return best


def contract_list(awi) -> list[tuple[int, int, int, bool]]:
    """The fake AWI's signed contracts as (day offset, quantity, total price, is_supply)."""
    contracts = [(0, awi.total_supplies, sum(awi.supplies_cost.values()), True)]
    contracts.append((0, awi.total_sales, sum(awi.sales_cost.values()), False))
    for books, costs, is_supply in (
        (awi.future_supplies, awi.future_supplies_cost, True),
        (awi.future_sales, awi.future_sales_cost, False),
    ):
        for day, by_partner in books.items():
            for partner, quantity in by_partner.items():
                contracts.append((day - awi.current_step, quantity, costs[day][partner], is_supply))
    return contracts


def online_call(awi, threads: ThreadBounds, proposal: tuple[np.ndarray, np.ndarray, np.ndarray]):
    limits = compute_limits(state_from_awi(awi, HORIZON))
    safe = thread_safe_quantities(limits, threads)
    mask = time_mask(limits, threads, safe=safe)  # what a masked L3 policy reads
    return clip_action(*proposal, limits, threads, safe=safe, mask=mask), mask


def loop_reference(record: dict, reserve: float = 0.0) -> tuple[list[float], list[float], float]:
    """Q_safe (buy and sell) and B_free the plain way: loops over days and contracts."""
    t, n_steps, n_lines = record["current_step"], record["n_steps"], record["n_lines"]
    contracts = record["contracts"]  # (day offset, quantity, total price, is_supply)
    stock = record["inventory_input"]
    headroom, room, surplus = [], [], []
    for k in range(HORIZON + 1):
        arriving = sum(q for day, q, _, supply in contracts if supply and day == k)
        shipped = sum(q for day, q, _, supply in contracts if not supply and day == k)
        room.append(min(n_lines, stock + arriving) - shipped)
        surplus.append(max(0.0, arriving - min(n_lines, shipped)))
        stock += surplus[-1]  # scml 0.8.4: production never reduces the stock
        days_left = n_steps - (t + k)
        headroom.append(n_lines * days_left - stock if days_left > 0 else None)
    safe_buy, safe_sell = [], []
    for d in range(HORIZON + 1):
        if headroom[d] is None:
            safe_buy.append(0.0)
            safe_sell.append(0.0)
            continue
        safe_buy.append(max(0.0, min(h for h in headroom[d:] if h is not None)))
        later = [room[k] for k in range(d + 1, HORIZON + 1) if headroom[k] is not None]
        later_room = max(0.0, min(later)) if later else float("inf")
        limit = room[d] if surplus[d] <= later_room else min(room[d], later_room)
        safe_sell.append(max(0.0, limit))
    payables = sum(price for day, _, price, supply in contracts if supply and 0 <= day <= HORIZON)
    return safe_buy, safe_sell, max(0.0, record["balance"] - reserve - payables)


@hydra.main(version_base="1.3", config_path="../../conf", config_name="benchmarks/shield")
def main(args: DictConfig) -> None:
    rng = np.random.default_rng(0)

    awi = fake_awi(rng)
    threads = ThreadBounds.build(
        [i % 2 == 0 for i in range(N_THREADS)],
        [0] * N_THREADS,
        [10] * N_THREADS,
        [30] * N_THREADS,
        [10] * N_THREADS,
        [15] * N_THREADS,
    )
    proposal = (
        np.full(N_THREADS, 8.0),
        np.full(N_THREADS, 12.0),
        np.arange(N_THREADS, dtype=float),
    )
    # Best of several blocks (as timeit does): this machine's noise only ever adds time.
    us_per_call = best_of(
        lambda: online_call(awi, threads, proposal), calls=args.repeats // 10, blocks=10
    )

    awis = [fake_awi(rng, today=int(rng.integers(0, 45))) for _ in range(args.batch)]
    records = [state_from_awi(a, HORIZON).record() for a in awis]
    batch = ShieldState.from_records(records)
    batch_threads = ThreadBounds.build(
        [True] * args.batch,
        [0] * args.batch,
        [10] * args.batch,
        [30] * args.batch,
        [10] * args.batch,
        [15] * args.batch,
        state_index=np.arange(args.batch),
    )
    batch_proposal = (np.full(args.batch, 8.0), np.full(args.batch, 12.0), np.full(args.batch, 3.0))
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        limits = compute_limits(batch)
        time_mask(limits, batch_threads)
        clip_action(*batch_proposal, limits, batch_threads)
        timings.append(time.perf_counter() - start)
    us_per_state_batched = min(timings) / args.batch * 1e6

    loop_records = [
        {**r, "contracts": contract_list(a)} for a, r in zip(awis, records, strict=True)
    ]
    loop_timings = []
    for _ in range(3):
        start = time.perf_counter()
        for r in loop_records:
            loop_reference(r)
        loop_timings.append((time.perf_counter() - start) / len(loop_records) * 1e6)
    us_per_state_loop = min(loop_timings)

    # The two must agree before their speeds mean anything.
    for i in range(0, args.batch, max(1, args.batch // 64)):
        safe_buy, safe_sell, budget = loop_reference(loop_records[i])
        np.testing.assert_allclose(limits.safe_buy[i], safe_buy)
        np.testing.assert_allclose(limits.safe_sell[i], safe_sell)
        assert np.isclose(limits.budget[i], budget)

    print(
        json.dumps(
            {
                "benchmark": "shield",
                "horizon": HORIZON,
                "threads": N_THREADS,
                "batch": args.batch,
                "us_per_call": us_per_call,
                "us_per_state_batched": us_per_state_batched,
                "us_per_state_loop": us_per_state_loop,
                "speedup": us_per_state_loop / us_per_state_batched,
                "targets": {"us_per_call": 50.0, "us_per_state_batched": 2.0, "speedup": 50.0},
            }
        )
    )


if __name__ == "__main__":
    main()
