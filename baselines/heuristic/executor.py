"""The heuristic executor: planner L2, concession L3 and need-driven L4 priorities.

Decides from snapshots only (:mod:`policies.decision.snapshot`); the agent holding it applies the
shield. Every learned executor falls back to this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from baselines.heuristic.concession import (
    aspiration_price,
    preferred_delta,
    price_acceptable,
    share_of_need,
)
from baselines.heuristic.params import HeuristicParams
from baselines.heuristic.planner import plan_goal
from policies.decision.executor import Decision, goal_need_by_thread
from policies.decision.snapshot import DaySnapshot, ThreadSnapshot
from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, bucket_of
from policies.shield import ACCEPT, COUNTER, END


class HeuristicExecutor:
    """Plans with :func:`plan_goal` and answers rounds by concession under ``params``
    (:class:`HeuristicParams`, or a mapping of its fields, as configs and exports give it).

    A middle-level factory accepts any sale at or above its limit price (its counters still
    concede from the agenda's best price): its rival sellers, the other middle factories, accept
    any price in the agenda, and buyers fill their needs with them (+0.031 +- 0.012,
    experiments/reports/scml/heuristic/middle_level_sales.md). Only under scml's stock accounting,
    where a middle factory buys almost nothing after its stock build-up.
    """

    def __init__(self, params: HeuristicParams | Mapping[str, Any] | None = None) -> None:
        self.params = HeuristicParams.from_dict(params)

    def plan(self, day: DaySnapshot) -> np.ndarray:
        return plan_goal(day.state, day.limits, day.market, self.params, day.stock_accounting)

    def respond(
        self, day: DaySnapshot, goal: np.ndarray, threads: ThreadSnapshot, secured: np.ndarray
    ) -> Decision:
        bounds = threads.bounds
        n = len(threads)
        side = np.where(bounds.is_buy, 0, 1)
        need_by_thread = goal_need_by_thread(goal, secured, bounds.is_buy)  # (K, 4)
        first_level = not day.market.can_buy
        exponent = self.params.concession_exponent.at(day.market.position)

        def asking_in(bucket: np.ndarray) -> np.ndarray:
            limit = np.where(bounds.is_buy, goal[bucket, P_BUY], goal[bucket, P_SELL])
            return aspiration_price(
                bounds.is_buy, bounds.p_min, bounds.p_max, limit, threads.relative_time, exponent
            )

        # Candidate per thread: the partner's offer if it is good enough, else our counter.
        has_offer = threads.has_offer
        off_q, off_d, off_p = threads.offer.T
        off_d = off_d.astype(np.int64)
        off_bucket = np.clip(bucket_of(np.clip(off_d, 0, None)), 0, N_BUCKETS - 1)
        room = need_by_thread[np.arange(n), off_bucket]
        accept_price = asking_in(off_bucket)
        if first_level or not day.world_consumes_stock:
            # First level: supply is sunk and leftovers are worthless. Middle: the limit keeps the
            # margin, and an offer refused early goes to a rival. Take any sale at the limit.
            accept_price = np.where(bounds.is_buy, accept_price, goal[off_bucket, P_SELL])
        acceptable = has_offer & (off_d >= 0) & price_acceptable(bounds.is_buy, off_p, accept_price)
        acceptable &= (off_q <= room) & (room > 0)

        n_side = np.array([np.sum(side == s) for s in side])
        counter_d = preferred_delta(need_by_thread, bounds.min_delta, bounds.max_delta)
        counter_q = share_of_need(need_by_thread, counter_d, n_side)
        asking = asking_in(np.clip(bucket_of(counter_d), 0, N_BUCKETS - 1))
        kind = np.where(acceptable, ACCEPT, np.where(need_by_thread.sum(axis=1) > 0, COUNTER, END))
        # L4: good offers first (by how much better than asked), then counters by need.
        gain = np.where(bounds.is_buy, accept_price - off_p, off_p - accept_price)
        weight = np.where(acceptable, gain / np.maximum(accept_price, 1e-9), counter_q)
        return Decision(
            kind=kind,
            quantity=np.where(acceptable, off_q, counter_q),
            unit_price=np.where(acceptable, off_p, asking),
            delta=np.where(acceptable, off_d, counter_d),
            weights=weight,
        )
