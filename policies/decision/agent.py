"""ExecutorStdAgent: a thin SCML std agent that runs an executor under the L1 shield.

At dawn it snapshots the day and asks the executor for the goal (unless an environment set
``goal_override``); each round it snapshots the open threads and asks for responses, which the
shield makes safe against the live state. If the executor raises, the fallback executor (when
given) decides instead: counted in ``fallbacks`` per kind and logged, so a tournament never loses
a world to a failing network.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from negmas import ResponseType, SAOResponse
from scml.std import StdSyncAgent

from policies.decision.executor import Decision, Executor
from policies.decision.layouts import QUANTITY, TIME, UNIT_PRICE
from policies.decision.snapshot import DaySnapshot, ThreadSnapshot, history_tensor
from policies.l2_goal import N_BUCKETS, bucket_of
from policies.shield import (
    ACCEPT,
    END,
    Offers,
    StockAccounting,
    ThreadBounds,
    shielded_responses,
    state_from_awi,
    threads_from_awi,
)

log = logging.getLogger(__name__)


class ExecutorStdAgent(StdSyncAgent):
    """Args:
    executor: the executor that decides (an :class:`Executor`).
    fallback: decides where ``executor`` raises (None: the error propagates).
    horizon: H of the shield and the snapshots.
    history_length: earlier offers per thread kept in its snapshot.
    reserve: money the shield never commits.

    The agent assumes scml's stock accounting until it sees its raw stock fall; from then on its
    day snapshots say the world consumes stock (``stock_accounting``).
    """

    def __init__(
        self,
        *args: Any,
        executor: Executor,
        fallback: Executor | None = None,
        horizon: int = 40,
        history_length: int = 16,
        reserve: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.executor, self.fallback = executor, fallback
        self.horizon, self.history_length, self.reserve_money = horizon, history_length, reserve
        self.goal_override: np.ndarray | None = None
        self.goal = np.zeros((N_BUCKETS, 4))
        self.goal_history: list[np.ndarray] = []
        self.fallbacks: Counter[str] = Counter()
        self.decisions: Counter[str] = Counter()
        self.day: DaySnapshot | None = None
        # Which stock accounting the world uses, learned at run time: under scml's own, raw
        # stock never falls; the first fall shows a world whose production consumes it.
        self.stock_accounting = StockAccounting.SCML
        self._last_input_stock: float | None = None
        self._initial_balance = 1.0
        self._secured = np.zeros((N_BUCKETS, 2))  # bought, sold per bucket today
        self._events: dict[str, list[tuple[int, float, float, float, float]]] = defaultdict(list)

    @property
    def secured(self) -> np.ndarray:
        """(4, 2) bought and sold so far today per delivery bucket (a copy)."""
        return self._secured.copy()

    @property
    def fallback_count(self) -> int:
        return sum(self.fallbacks.values())

    def init(self) -> None:
        super().init()
        self._initial_balance = float(self.awi.current_balance)

    def _decide(self, kind: str, method: str, *args: Any) -> Any:
        """The executor's answer, or the fallback's where the executor raises."""
        self.decisions[kind] += 1
        try:
            return getattr(self.executor, method)(*args)
        except Exception as error:  # noqa: BLE001 - any failure must fall back, never crash
            if self.fallback is None:
                raise
            self.fallbacks[kind] += 1
            log.warning(
                "%s: %s failed (%s: %s); falling back", self.id, kind, type(error).__name__, error
            )
            return getattr(self.fallback, method)(*args)

    # --- the day ----------------------------------------------------------------------------
    def before_step(self) -> None:
        super().before_step()
        stock = float(self.awi.current_inventory_input)
        if self._last_input_stock is not None and stock < self._last_input_stock:
            self.stock_accounting = StockAccounting.CONSUMED
        self._last_input_stock = stock
        self.day = DaySnapshot.from_awi(
            self.awi,
            self.horizon,
            self._initial_balance,
            self.reserve_money,
            self.stock_accounting,
        )
        self._secured = np.zeros((N_BUCKETS, 2))
        self._events = defaultdict(list)
        if self.goal_override is not None:
            self.goal = np.array(self.goal_override, dtype=np.float64).reshape(N_BUCKETS, 4)
            self.goal_override = None
        else:
            self.goal = np.asarray(self._decide("goal", "plan", self.day), dtype=np.float64)
        self.goal_history.append(self.goal.copy())

    def on_negotiation_success(self, contract: Any, mechanism: Any) -> None:
        super().on_negotiation_success(contract, mechanism)
        agreement = contract.agreement
        bucket = int(
            np.clip(bucket_of(agreement["time"] - self.awi.current_step), 0, N_BUCKETS - 1)
        )
        selling = contract.annotation["seller"] == self.id
        self._secured[bucket, int(selling)] += agreement["quantity"]

    # --- the rounds -------------------------------------------------------------------------
    def first_proposals(self) -> dict:
        partners = list(self.awi.current_nmis)
        responses = self.respond_all(dict.fromkeys(partners), {})
        return {p: r.outcome for p, r in responses.items()}

    def counter_all(self, offers: dict, states: dict) -> dict:
        return self.respond_all(offers, states)

    def respond_all(self, offers: dict, states: dict) -> dict[str, SAOResponse]:
        partners = [p for p in offers if p in self.awi.current_nmis]
        if not partners or self.day is None:
            return {}
        threads, _ = self.thread_snapshot(partners, offers, states)
        return self.decide_round(partners, offers, threads)

    # Histories hold what was really sent and answered (as the recorder logs it): an offer the
    # sync controller computed but never sent is not history.
    def propose(self, negotiator_id: str, state: Any, *args: Any, **kwargs: Any) -> Any:
        offer = super().propose(negotiator_id, state, *args, **kwargs)
        if offer is not None:
            self._log_offer(negotiator_id, int(state.step), offer, ours=True)
        return offer

    def respond(self, negotiator_id: str, state: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().respond(negotiator_id, state, *args, **kwargs)
        offer = state.current_offer
        if offer is not None and response not in (ResponseType.WAIT, ResponseType.NO_RESPONSE):
            self._log_offer(negotiator_id, int(state.step), offer, ours=False)
        return response

    def _log_offer(self, partner: str, step: int, offer: Any, ours: bool) -> None:
        delta = offer[TIME] - self.awi.current_step
        self._events[partner].append((step, offer[QUANTITY], delta, offer[UNIT_PRICE], float(ours)))

    def decide_round(
        self, partners: list[str], offers: dict, threads: ThreadSnapshot
    ) -> dict[str, SAOResponse]:
        """The executor's shielded responses to one round (nothing is logged)."""
        assert self.day is not None
        decision: Decision = self._decide(
            "responses", "respond", self.day, self.goal, threads, self.secured
        )
        return self.shielded_round(partners, offers, threads, decision)

    def shielded_round(
        self, partners: list[str], offers: dict, threads: ThreadSnapshot, decision: Decision
    ) -> dict[str, SAOResponse]:
        """Responses that carry out ``decision`` as far as the shield allows, against the live
        state (accepts it cannot afford become counters, unsafe counters shrink or end)."""
        final, granted = shielded_responses(
            decision.kind,
            np.maximum(decision.quantity, 0.0),
            np.maximum(decision.unit_price, 0.0),
            np.clip(decision.delta, 0, self.horizon).astype(int),
            decision.weights,
            state_from_awi(self.awi, self.horizon),
            threads.bounds,
            self.reserve_money,
        )
        today = self.awi.current_step
        return {
            partner: to_response(final[i], granted, i, offers[partner], today, threads.bounds)
            for i, partner in enumerate(partners)
        }

    def log_round(
        self,
        partners: list[str],
        threads: ThreadSnapshot,
        steps: list[int],
        responses: dict[str, SAOResponse],
    ) -> None:
        """Add a round driven from outside (per-round environments, where the world does not call
        propose/respond) to the threads' histories: the offers answered, our counter-offers."""
        for i, partner in enumerate(partners):
            response = responses.get(partner)
            if response is None:
                continue
            if threads.has_offer[i]:
                self._events[partner].append((steps[i], *threads.offer[i], 0.0))
            sent = response.response == ResponseType.REJECT_OFFER and response.outcome is not None
            if sent:
                self._log_offer(partner, steps[i], response.outcome, ours=True)

    def thread_snapshot(
        self, partners: list[str], offers: dict, states: dict
    ) -> tuple[ThreadSnapshot, list[int]]:
        """The round's threads as a decision sees them, and each thread's negotiation step."""
        awi, day = self.awi, self.day
        assert day is not None
        today = awi.current_step
        bounds = threads_from_awi(awi, partners, self.horizon)
        market = day.market
        reference = np.where(bounds.is_buy, market.price_in, market.price_out)
        has_offer = np.array([offers[p] is not None for p in partners])
        offer = np.array(
            [
                (o[QUANTITY], o[TIME] - today, o[UNIT_PRICE]) if o is not None else (0, 0, 0)
                for o in (offers[p] for p in partners)
            ],
            dtype=np.float64,
        ).reshape(len(partners), 3)
        live_states = awi.current_states
        step_states = [states.get(p) or live_states.get(p) for p in partners]
        steps = [int(getattr(s, "step", 0) or 0) for s in step_states]
        relative = np.array([float(getattr(states.get(p), "relative_time", 0.0)) for p in partners])
        agreed = self._secured.sum(axis=0)  # bought, sold today
        need = np.where(
            bounds.is_buy, market.needed_supplies - agreed[0], market.needed_sales - agreed[1]
        )
        committed = np.array(
            [
                contracted_at(awi, buying, today + int(delta))
                for buying, delta in zip(bounds.is_buy, offer[:, 1], strict=True)
            ],
            dtype=np.float64,
        )
        earlier = [
            np.array([e[1:] for e in self._events[p] if e[0] < step], dtype=np.float64)
            for p, step in zip(partners, steps, strict=True)
        ]
        history, valid = history_tensor(
            earlier, bounds.q_max, reference, self.horizon, self.history_length
        )
        snapshot = ThreadSnapshot(
            bounds=bounds,
            reference_price=reference.astype(np.float64),
            has_offer=has_offer,
            offer=offer,
            relative_time=relative,
            open_need=need.astype(np.float64),
            committed_at_delivery=committed,
            inventory_input=np.full(len(partners), float(day.state.inventory_input[0])),
            round_group=np.where(has_offer, 0, np.arange(1, len(partners) + 1)),
            history=history,
            history_valid=valid,
        )
        return snapshot, steps


def contracted_at(awi: Any, buying: bool, day: int) -> float:
    """What is contracted on one side for a day, clamped into the world's days (as recorded)."""
    last = max(awi.n_steps - 1, awi.current_step)
    day = min(max(day, awi.current_step), last)
    return float((awi.total_supplies_at if buying else awi.total_sales_at)(day))


def to_response(
    kind: int, offers: Offers, i: int, partner_offer: Any, today: int, threads: ThreadBounds
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
