"""HeuristicStdAgent: the L1 shield driving heuristic L2/L3/L4 in a real SCML std agent.

Every learned agent falls back to this one, and the daily environment uses it to carry out the
goal a policy sets (``goal_override``).
"""

from __future__ import annotations

import numpy as np
from negmas import ResponseType, SAOResponse, SAOState
from scml.std import StdSyncAgent

from baselines.heuristic.concession import (
    aspiration_price,
    preferred_delta,
    price_acceptable,
    share_of_need,
)
from baselines.heuristic.market_view import MarketView
from baselines.heuristic.planner import plan_goal
from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, Q_BUY, Q_SELL, bucket_of
from policies.shield import (
    ACCEPT,
    COUNTER,
    END,
    Offers,
    compute_limits,
    shielded_responses,
    state_from_awi,
    threads_from_awi,
)

QUANTITY, TIME, UNIT_PRICE = 0, 1, 2


class HeuristicStdAgent(StdSyncAgent):
    """Needs-driven SCML std agent under the L1 shield.

    Args:
        horizon: H, days the shield and the plan look ahead.
        production_target: fraction of the lines the plan keeps busy.
        concession_exponent: > 1 concedes late (L3).
        first_level_exponent: the exponent of a first-level factory, whose supply is sunk and
            whose rival sellers concede early (< 1 concedes early).
        price_slack: how far past the trading price limit prices may go (L2).
        reserve: money the shield never commits.
    """

    def __init__(
        self,
        *args,
        horizon: int = 40,
        production_target: float = 0.8,
        concession_exponent: float = 2.0,
        first_level_exponent: float = 0.5,
        price_slack: float = 0.1,
        reserve: float = 0.0,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.horizon = horizon
        self.production_target = production_target
        self.concession_exponent = concession_exponent
        self.first_level_exponent = first_level_exponent
        self.price_slack = price_slack
        self.reserve_money = reserve
        self.goal_override: np.ndarray | None = None
        self.goal = np.zeros((N_BUCKETS, 4))
        self.goal_history: list[np.ndarray] = []

    # --- L2: the day's goal -------------------------------------------------------------
    def before_step(self) -> None:
        super().before_step()
        state = state_from_awi(self.awi, self.horizon)
        limits = compute_limits(state, self.reserve_money)
        market = MarketView.from_awi(self.awi)
        if self.goal_override is not None:
            self.goal = np.array(self.goal_override, dtype=np.float64).reshape(N_BUCKETS, 4)
            self.goal_override = None
        else:
            self.goal = plan_goal(state, limits, market, self.production_target, self.price_slack)
        self.goal_history.append(self.goal.copy())
        self._secured = np.zeros((N_BUCKETS, 2))  # bought, sold per bucket today

    def on_negotiation_success(self, contract, mechanism) -> None:
        super().on_negotiation_success(contract, mechanism)
        agreement = contract.agreement
        delta = agreement["time"] - self.awi.current_step
        bucket = int(np.clip(bucket_of(delta), 0, N_BUCKETS - 1))
        selling = contract.annotation["seller"] == self.id
        self._secured[bucket, int(selling)] += agreement["quantity"]

    def unmet_need(self) -> np.ndarray:
        """(4, 2): what the goal still asks to buy / sell per bucket."""
        wanted = self.goal[:, [Q_BUY, Q_SELL]]
        return np.maximum(0.0, wanted - self._secured)

    # --- L3 + L4: offers for all threads at once ------------------------------------------
    def first_proposals(self) -> dict:
        partners = list(self.awi.current_nmis)
        responses = self.respond_all(dict.fromkeys(partners), {})
        return {p: r.outcome for p, r in responses.items()}

    def counter_all(self, offers: dict, states: dict) -> dict:
        return self.respond_all(offers, states)

    def respond_all(
        self, offers: dict, states: dict[str, SAOState | None]
    ) -> dict[str, SAOResponse]:
        partners = [p for p in offers if p in self.awi.current_nmis]
        if not partners:
            return {}
        awi = self.awi
        threads = threads_from_awi(awi, partners, self.horizon)
        state = state_from_awi(awi, self.horizon)
        need = self.unmet_need()
        side = np.where(threads.is_buy, 0, 1)
        need_by_thread = need[:, side].T  # (K, 4)
        rel_time = np.array(
            [states[p].relative_time if states.get(p) is not None else 0.0 for p in partners]
        )

        exponent = self.first_level_exponent if awi.is_first_level else self.concession_exponent

        def asking_in(bucket: np.ndarray) -> np.ndarray:
            limit = np.where(threads.is_buy, self.goal[bucket, P_BUY], self.goal[bucket, P_SELL])
            return aspiration_price(
                threads.is_buy, threads.p_min, threads.p_max, limit, rel_time, exponent
            )

        # Candidate per thread: the partner's offer if it is good enough, else our counter.
        today = awi.current_step
        has_offer = np.array([offers[p] is not None for p in partners])
        off_q = np.array([offers[p][QUANTITY] if offers[p] else 0 for p in partners], dtype=float)
        off_d = np.array([offers[p][TIME] - today if offers[p] else 0 for p in partners])
        off_p = np.array([offers[p][UNIT_PRICE] if offers[p] else 0 for p in partners], dtype=float)
        off_bucket = np.clip(bucket_of(np.clip(off_d, 0, None)), 0, N_BUCKETS - 1)
        room = need_by_thread[np.arange(len(partners)), off_bucket]
        accept_price = asking_in(off_bucket)
        if awi.is_first_level:
            # Supply is sunk and leftovers are worthless: take any offer at or above the limit.
            accept_price = np.where(threads.is_buy, accept_price, self.goal[off_bucket, P_SELL])
        acceptable = (
            has_offer & (off_d >= 0) & price_acceptable(threads.is_buy, off_p, accept_price)
        )
        acceptable &= (off_q <= room) & (room > 0)

        n_side = np.array([np.sum(side == s) for s in side])
        counter_d = preferred_delta(need_by_thread, threads.min_delta, threads.max_delta)
        counter_q = share_of_need(need_by_thread, counter_d, n_side)
        asking = asking_in(np.clip(bucket_of(counter_d), 0, N_BUCKETS - 1))
        q = np.where(acceptable, off_q, counter_q)
        p = np.where(acceptable, off_p, asking)
        d = np.where(acceptable, off_d, counter_d)
        kind = np.where(acceptable, ACCEPT, np.where(need_by_thread.sum(axis=1) > 0, COUNTER, END))
        # L4: good offers first (by how much better than asked), then counters by need.
        gain = np.where(threads.is_buy, accept_price - off_p, off_p - accept_price)
        weight = np.where(acceptable, gain / np.maximum(accept_price, 1e-9), counter_q)
        final, granted = shielded_responses(
            kind, q, p, d, weight, state, threads, self.reserve_money
        )
        return {
            partner: to_response(final[i], granted, i, offers[partner], today, threads)
            for i, partner in enumerate(partners)
        }


def to_response(
    kind: int, offers: Offers, i: int, partner_offer, today: int, threads
) -> SAOResponse:
    """One thread's SAOResponse; counter prices rounded in our favour inside the agenda."""
    if kind == ACCEPT:
        return SAOResponse(ResponseType.ACCEPT_OFFER, partner_offer)
    if kind == END:
        return SAOResponse(ResponseType.END_NEGOTIATION, None)
    price = np.floor(offers.unit_price[i]) if threads.is_buy[i] else np.ceil(offers.unit_price[i])
    price = int(np.clip(price, threads.p_min[i], threads.p_max[i]))
    return SAOResponse(
        ResponseType.REJECT_OFFER, (int(offers.quantity[i]), today + int(offers.delta[i]), price)
    )
