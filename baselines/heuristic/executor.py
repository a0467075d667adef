"""The heuristic executor: planner L2, concession L3 and need-driven L4 priorities.

Decides from snapshots only (:mod:`policies.decision.snapshot`); the agent holding it applies the
shield. Every learned executor falls back to this one.
"""

from __future__ import annotations

import numpy as np

from baselines.heuristic.concession import (
    aspiration_price,
    preferred_delta,
    price_acceptable,
    share_of_need,
)
from baselines.heuristic.planner import plan_goal
from policies.decision.executor import Decision, goal_need_by_thread
from policies.decision.snapshot import DaySnapshot, ThreadSnapshot
from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, bucket_of
from policies.shield import ACCEPT, COUNTER, END


class HeuristicExecutor:
    """Args:
    production_target: fraction of the lines the plan keeps busy.
    concession_exponent: > 1 concedes late (L3).
    first_level_exponent: the exponent of a first-level factory, whose supply is sunk and whose
        rival sellers concede early (< 1 concedes early).
    price_slack: how far past the trading price limit prices may go (L2).
    storage_aware: a first-level sell floor that counts the storage an unsold unit pays (L2).
    whole_prices: the first level's market-relative sell limit rounded down to a whole price (L2).
    sales_at_limit: a middle-level factory accepts any sale at or above its limit price (its
        counters still concede from the agenda's best price): its rival sellers, the other
        middle factories, accept any price in the agenda, and buyers fill their needs with them.
        Only under scml's stock accounting, where a middle factory buys almost nothing after its
        stock build-up (not measured to help once the world is seen to consume stock).
    stock_priced_sales: under scml's accounting a middle factory with its stock built up sells
        down to the first level's limit, production cost the floor (L2; see ``plan_goal``).
    last_level_full_stock: under scml's accounting a last-level factory builds its stock up to
        ``n_lines``, so it never buys again (L2; see ``plan_goal``).
    """

    def __init__(
        self,
        production_target: float = 0.8,
        concession_exponent: float = 2.0,
        first_level_exponent: float = 0.5,
        price_slack: float = 0.1,
        storage_aware: bool = True,
        whole_prices: bool = True,
        sales_at_limit: bool = True,
        stock_priced_sales: bool = True,
        last_level_full_stock: bool = True,
    ) -> None:
        self.last_level_full_stock = last_level_full_stock
        self.sales_at_limit, self.stock_priced_sales = sales_at_limit, stock_priced_sales
        self.storage_aware, self.whole_prices = storage_aware, whole_prices
        self.production_target = production_target
        self.concession_exponent = concession_exponent
        self.first_level_exponent = first_level_exponent
        self.price_slack = price_slack

    def plan(self, day: DaySnapshot) -> np.ndarray:
        return plan_goal(
            day.state,
            day.limits,
            day.market,
            self.production_target,
            self.price_slack,
            stock_consumed=day.stock_consumed,
            stock_seen_falling=day.stock_seen_falling,
            storage_aware=self.storage_aware,
            whole_prices=self.whole_prices,
            stock_priced_sales=self.stock_priced_sales,
            last_level_full_stock=self.last_level_full_stock,
        )

    def respond(
        self, day: DaySnapshot, goal: np.ndarray, threads: ThreadSnapshot, secured: np.ndarray
    ) -> Decision:
        bounds = threads.bounds
        n = len(threads)
        side = np.where(bounds.is_buy, 0, 1)
        need_by_thread = goal_need_by_thread(goal, secured, bounds.is_buy)  # (K, 4)
        first_level = not day.market.can_buy
        exponent = self.first_level_exponent if first_level else self.concession_exponent

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
        if first_level or (self.sales_at_limit and not day.world_consumes_stock):
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
