"""LearnedStdAgent: the trained L2/L3/L4 networks driving a real SCML std agent under the shield.

L2 sets the day's goal (HorizonManager, decoded by GoalCodec); for every open thread L3 (the
TemporalDecisionTransformer) picks accept / counter / end, the counter's residual against the L1
baseline offer and its delivery day (masked by the L1 time mask); L4 (GlobalCoordinator) weights
the threads for the shield's reservation, which clips every learned offer. Any exception in a
learned decision falls back to the HeuristicStdAgent's decision for it, counted in
``fallback_count`` (and per kind in ``fallbacks``) and logged.

Needs numpy, torch and scml only (no Ray, SB3 or Hydra). Subclasses set ``bundle_dir``.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, ClassVar

import numpy as np
import torch
from negmas import SAOResponse

from baselines.heuristic.agent import QUANTITY, TIME, UNIT_PRICE, HeuristicStdAgent, to_response
from envs.scml.state_builder import build_observation
from policies.hrl import contexts
from policies.hrl.bundle import HRLBundle
from policies.l2_goal import GoalCodec
from policies.shield import (
    ACCEPT,
    COUNTER,
    END,
    compute_limits,
    shielded_responses,
    state_from_awi,
    threads_from_awi,
)
from policies.shield.baseline import baseline_action
from policies.shield.time_mask import time_mask

log = logging.getLogger(__name__)
OPERATIONS = (ACCEPT, COUNTER, END)


class LearnedStdAgent(HeuristicStdAgent):
    bundle_dir: ClassVar[str | None] = None
    _bundles: ClassVar[dict[str, HRLBundle]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fallbacks: Counter[str] = Counter()
        self.decisions: Counter[str] = Counter()
        self._history: dict[str, list[list[float]]] = {}
        self._initial_balance: float | None = None
        self._day_needs = (0, 0)

    @property
    def fallback_count(self) -> int:
        return sum(self.fallbacks.values())

    @classmethod
    def bundle(cls) -> HRLBundle:
        """The networks, loaded once per process and directory."""
        if cls.bundle_dir is None:
            raise ValueError(
                f"{cls.__name__} has no bundle_dir: load it with experiments.export.load_agent_class"
            )
        if cls.bundle_dir not in cls._bundles:
            bundle = HRLBundle.load(cls.bundle_dir)
            bundle.eval()
            cls._bundles[cls.bundle_dir] = bundle
        return cls._bundles[cls.bundle_dir]

    def init(self) -> None:
        super().init()
        self.horizon = self.bundle().config.horizon
        self._initial_balance = float(self.awi.current_balance)

    def _fallback(self, kind: str, error: Exception) -> None:
        self.fallbacks[kind] += 1
        log.warning(
            "%s: learned %s failed (%s: %s); using the heuristic's",
            self.id,
            kind,
            type(error).__name__,
            error,
        )

    # --- L2 ---------------------------------------------------------------------------------
    def before_step(self) -> None:
        super().before_step()  # the heuristic goal stays in place if the learned one fails
        self._history = {}
        self._day_needs = (self.awi.needed_supplies, self.awi.needed_sales)  # as in the dataset
        self.decisions["goal"] += 1
        try:
            self.goal = self._learned_goal()
            self.goal_history[-1] = self.goal.copy()
        except Exception as error:  # noqa: BLE001 - any failure must fall back, never crash
            self._fallback("goal", error)

    @torch.no_grad()
    def _learned_goal(self) -> np.ndarray:
        awi = self.awi
        state = state_from_awi(awi, self.horizon)
        limits = compute_limits(state, self.reserve_money)
        obs = build_observation(awi, state, limits, self._initial_balance or 1.0)
        tensors = {k: torch.as_tensor(v, dtype=torch.float32)[None] for k, v in obs.items()}
        mean = self.bundle().manager(tensors)[0][0].numpy()
        prices = awi.trading_prices
        return GoalCodec(self.horizon).decode(
            mean,
            float(state.n_lines[0]),
            float(prices[awi.my_input_product]),
            float(prices[awi.my_output_product]),
        )

    # --- L3 + L4 ----------------------------------------------------------------------------
    def respond_all(self, offers: dict, states: dict) -> dict[str, SAOResponse]:
        self.decisions["responses"] += 1
        try:
            return self._learned_responses(offers, states)
        except Exception as error:  # noqa: BLE001
            self._fallback("responses", error)
            return super().respond_all(offers, states)

    @torch.no_grad()
    def _learned_responses(self, offers: dict, states: dict) -> dict[str, SAOResponse]:
        partners = [p for p in offers if p in self.awi.current_nmis]
        if not partners:
            return {}
        awi, bundle, horizon = self.awi, self.bundle(), self.horizon
        today = awi.current_step
        threads = threads_from_awi(awi, partners, horizon)
        state = state_from_awi(awi, horizon)
        limits = compute_limits(state, self.reserve_money)
        prices = awi.trading_prices
        reference = np.where(
            threads.is_buy, prices[awi.my_input_product], prices[awi.my_output_product]
        ).astype(np.float64)
        need = self.unmet_need()
        wanted = np.maximum(1.0, np.where(threads.is_buy, need[:, 0].sum(), need[:, 1].sum()))
        base = baseline_action(limits, threads, reference, wanted)
        mask = time_mask(limits, threads)
        q_max = np.maximum(threads.q_max, 1.0)
        has_offer = np.array([offers[p] is not None for p in partners])
        off_q = np.array([offers[p][QUANTITY] if offers[p] else 0 for p in partners], dtype=float)
        off_d = np.array(
            [offers[p][TIME] - today if offers[p] else 0 for p in partners], dtype=float
        )
        off_p = np.array([offers[p][UNIT_PRICE] if offers[p] else 0 for p in partners], dtype=float)
        offer_features = (
            np.stack([off_q / q_max, off_d / horizon, off_p / reference], axis=1)
            * has_offer[:, None]
        )
        for i, partner in enumerate(partners):  # the partner's offer joins the thread's history
            if has_offer[i]:
                self._history.setdefault(partner, []).append([*offer_features[i], 0.0])
        length = bundle.config.history_length
        history = np.zeros((len(partners), length, 4), dtype=np.float32)
        valid = np.zeros((len(partners), length), dtype=bool)
        for i, partner in enumerate(partners):
            rows = self._history.get(partner, [])[-length:]
            if rows:
                history[i, length - len(rows) :] = rows
                valid[i, length - len(rows) :] = True
        rel_time = np.array(
            [states[p].relative_time if states.get(p) is not None else 0.0 for p in partners]
        )
        context = contexts.proposal_context(
            threads.is_buy.astype(np.float32),
            np.stack(
                [base.quantity / q_max, base.unit_price / reference, base.delta / horizon], axis=1
            ),
            offer_features,
            has_offer.astype(np.float32),
        )
        limit = contexts.goal_limit(self.goal, off_d, threads.is_buy, reference)
        # What is still needed on each side: the day's need minus what was agreed since.
        agreed = np.where(threads.is_buy, self._secured[:, 0].sum(), self._secured[:, 1].sum())
        day_need = np.where(threads.is_buy, self._day_needs[0], self._day_needs[1]) - agreed
        # Offers on the table form one round; threads without an offer stand alone.
        round_feats = contexts.round_features(
            np.where(has_offer, 0, np.arange(1, len(partners) + 1)),
            threads.is_buy,
            off_q * has_offer,
            off_p,
            np.maximum(day_need, 0),
        )
        committed = np.array(
            [
                (awi.total_supplies_at if buying else awi.total_sales_at)(today + int(delta))
                for buying, delta in zip(threads.is_buy, off_d, strict=True)
            ],
            dtype=float,
        )
        answer = contexts.answer_context(
            threads.is_buy.astype(np.float32),
            rel_time,
            np.maximum(day_need, 0) / q_max,
            off_p / limit - 1.0,
            offer_features,
            round_feats,
            committed / q_max,
            np.full(len(partners), float(awi.current_inventory_input)) / q_max,
        )
        goal = GoalCodec(horizon).encode(
            self.goal,
            float(state.n_lines[0]),
            float(prices[awi.my_input_product]),
            float(prices[awi.my_output_product]),
        )
        n = len(partners)
        out = bundle.transformer(
            torch.as_tensor(np.repeat(goal[None], n, axis=0)),
            torch.as_tensor(history),
            torch.as_tensor(valid),
            torch.as_tensor(context, dtype=torch.float32),
            torch.as_tensor(mask),
        )
        answer_context = torch.as_tensor(answer)
        answer_state = bundle.transformer.encode(
            torch.as_tensor(np.repeat(goal[None], n, axis=0)),
            torch.as_tensor(history),
            torch.as_tensor(valid),
            answer_context,
        )
        operation = bundle.transformer.operation_logits(answer_state, answer_context)
        operation = operation.argmax(1).numpy()
        kind = np.where(has_offer, np.array(OPERATIONS)[operation], COUNTER)
        residual = out["residual"].numpy()
        q = np.where(kind == ACCEPT, off_q, base.quantity + residual[:, 0] * q_max)
        p = np.where(kind == ACCEPT, off_p, base.unit_price + residual[:, 1] * reference)
        d = np.where(
            kind == ACCEPT,
            off_d,
            np.where(mask.any(axis=1), out["time_logits"].argmax(1).numpy(), base.delta),
        )
        rows = np.stack(
            [threads.is_buy.astype(float), q / q_max, d / horizon, p / reference, rel_time], axis=1
        )
        weights = bundle.coordinator(
            torch.as_tensor(rows[None], dtype=torch.float32),
            torch.as_tensor(d[None] / horizon, dtype=torch.float32),
            torch.ones(1, n),
        )[0].numpy()
        final, granted = shielded_responses(
            kind,
            np.maximum(q, 0.0),
            np.maximum(p, 0.0),
            np.clip(d, 0, horizon).astype(int),
            weights,
            state,
            threads,
            self.reserve_money,
        )
        responses = {
            partner: to_response(final[i], granted, i, offers[partner], today, threads)
            for i, partner in enumerate(partners)
        }
        for i, partner in enumerate(partners):  # our counter joins the history too
            if final[i] == COUNTER and responses[partner].outcome is not None:
                offer = responses[partner].outcome
                self._history.setdefault(partner, []).append(
                    [
                        offer[QUANTITY] / q_max[i],
                        (offer[TIME] - today) / horizon,
                        offer[UNIT_PRICE] / reference[i],
                        1.0,
                    ]
                )
        return responses
