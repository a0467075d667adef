"""The heuristic agent's decisions as SCMLRoundEnv actions (a reference policy for that env)."""

from __future__ import annotations

import numpy as np

from baselines.heuristic.agent import HeuristicStdAgent
from policies.l2_goal import N_BUCKETS, bucket_of
from policies.shield import ACCEPT, COUNTER, END, state_from_awi, threads_from_awi

QUANTITY, TIME, UNIT_PRICE = 0, 1, 2


class HeuristicRoundPolicy:
    """Maps observations of an :class:`~envs.scml.round_env.SCMLRoundEnv` to actions.

    A detached :class:`HeuristicStdAgent` reads the learner's AWI, plans at each new day and
    answers every thread; its answers are quantized onto the env's action grid. Deals made
    today are read back from the AWI's books (the placeholder, not this agent, is told of them).
    """

    def __init__(self, env, **agent_params) -> None:
        self.env = env
        self.agent_params = {"horizon": env.horizon, **agent_params}
        self._agent: HeuristicStdAgent | None = None
        self._awi = None
        self._day = -1
        self._books_at_dawn = np.zeros((N_BUCKETS, 2))

    def _books(self, awi) -> np.ndarray:
        state = state_from_awi(awi, self.env.horizon)
        buckets = bucket_of(np.arange(state.horizon + 1))
        bought = np.bincount(buckets, weights=state.incoming[0], minlength=N_BUCKETS)
        sold = np.bincount(buckets, weights=state.outgoing[0], minlength=N_BUCKETS)
        return np.stack([bought, sold], axis=1)

    def __call__(self, observation=None) -> np.ndarray:
        env = self.env
        awi = env.session.awi(env.learner_id)
        if self._awi is not awi:  # a new episode
            self._agent = HeuristicStdAgent(**self.agent_params)
            self._agent._awi = awi
            self._awi, self._day = awi, -1
        agent = self._agent
        assert agent is not None
        if awi.current_step != self._day:
            agent.before_step()
            self._day = awi.current_step
            self._books_at_dawn = self._books(awi)
        agent._secured = self._books(awi) - self._books_at_dawn

        slots = np.zeros((env.max_threads, 4), dtype=np.int64)
        slots[:, 0] = END
        partners = env.partners[: env.max_threads]
        if not partners:
            return slots.reshape(-1)
        # Fields an answer does not use still get allowed values, so masked policies agree.
        allowed_days = env.last_observation["time_mask"][: len(partners)].astype(bool)
        slots[: len(partners), 3] = np.where(
            allowed_days.any(axis=1), np.argmax(allowed_days, axis=1), 0
        )
        offers = {p: awi.current_offers.get(p) for p in partners}
        states = {p: awi.current_states.get(p) for p in partners}
        responses = agent.respond_all(offers, states)
        threads = threads_from_awi(awi, partners, env.horizon)
        for i, partner in enumerate(partners):
            response = responses.get(partner)
            if response is None or response.outcome is None:
                continue
            accepted = response.response.name == "ACCEPT_OFFER"
            outcome = response.outcome
            q_frac = outcome[QUANTITY] / max(float(threads.q_max[i]), 1.0)
            span = max(float(threads.p_max[i] - threads.p_min[i]), 1e-9)
            slots[i] = [
                ACCEPT if accepted else COUNTER,
                np.clip(int(np.ceil(q_frac * env.quantity_levels)) - 1, 0, env.quantity_levels - 1),
                np.clip(
                    round((outcome[UNIT_PRICE] - threads.p_min[i]) / span * (env.price_levels - 1)),
                    0,
                    env.price_levels - 1,
                ),
                np.clip(outcome[TIME] - awi.current_step, 0, env.horizon),
            ]
        return slots.reshape(-1)
