"""Cost of the L1 shield, online (one state) and batched (logged states), against a plain loop.

    python -m experiments.benchmarks.shield [--batch 4096]

Online: one full computation per call from an AWI-shaped object (H=40, 10 open threads, ~20
signed contracts): read the books, limits, time masks and clip_action for all threads.
Batched: 4096 logged states (one thread each) at once. Reference: a straightforward per-day,
per-contract Python loop computing the same Q_safe and B_free, written here.
Targets: online <= 50 us/call; batched <= 2 us/state and >= 50x the loop.
Prints one JSON line last: us_per_call, us_per_state_batched, us_per_state_loop, speedup.
"""

from __future__ import annotations

import argparse
import json
import time
from types import SimpleNamespace

import numpy as np

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


def online_call(awi, threads: ThreadBounds, proposal: tuple[np.ndarray, np.ndarray, np.ndarray]):
    limits = compute_limits(state_from_awi(awi, HORIZON))
    safe = thread_safe_quantities(limits, threads)
    mask = time_mask(limits, threads, safe=safe)  # what a masked L3 policy reads
    return clip_action(*proposal, limits, threads, safe=safe, mask=mask), mask


def loop_reference(record: dict, reserve: float = 0.0) -> tuple[list[float], float]:
    """Q_safe (buy side) and B_free the plain way: a loop over days and contracts."""
    t, n_steps, n_lines = record["current_step"], record["n_steps"], record["n_lines"]
    contracts = record["contracts"]  # (day offset, quantity, total price, is_supply)
    level = record["inventory_input"]
    headroom = []
    for k in range(HORIZON + 1):
        arriving = sum(q for day, q, _, supply in contracts if supply and day == k)
        level = max(0.0, level + arriving - n_lines)
        if t + k >= n_steps:
            headroom.append(None)
            continue
        capacity = n_lines * max(0, n_steps - (t + k))
        headroom.append(capacity - level)
    safe = []
    for d in range(HORIZON + 1):
        later = [h for h in headroom[d:] if h is not None]
        safe.append(max(0.0, min(later)) if headroom[d] is not None and later else 0.0)
    payables = sum(price for day, _, price, supply in contracts if supply and 0 <= day <= HORIZON)
    return safe, max(0.0, record["balance"] - reserve - payables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args()
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
    for _ in range(50):
        online_call(awi, threads, proposal)
    start = time.perf_counter()
    for _ in range(args.repeats):
        online_call(awi, threads, proposal)
    us_per_call = (time.perf_counter() - start) / args.repeats * 1e6

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

    loop_records = []
    for a, r in zip(awis, records, strict=True):
        contracts = [
            (day - a.current_step, q, a.future_supplies_cost[day][p], True)
            for day, by in a.future_supplies.items()
            for p, q in by.items()
        ] + [(0, a.total_supplies, sum(a.supplies_cost.values()), True)]
        loop_records.append({**r, "contracts": contracts})
    start = time.perf_counter()
    for r in loop_records:
        loop_reference(r)
    us_per_state_loop = (time.perf_counter() - start) / len(loop_records) * 1e6

    # The two must agree before their speeds mean anything.
    safe_loop, budget_loop = loop_reference(loop_records[0])
    np.testing.assert_allclose(limits.safe_buy[0], safe_loop)
    assert np.isclose(limits.budget[0], budget_loop)

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
