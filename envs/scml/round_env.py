"""SCMLRoundEnv: one step is one negotiation round across all of the learner's open threads."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from negmas import ResponseType, SAOResponse

from envs.scml.config import world_config
from envs.scml.daily_control import executor_params
from envs.scml.l3_form import (
    l3_action_space,
    l3_observation,
    l3_observation_spaces,
    parse_l3_action,
)
from envs.scml.reward import SHAPING_DEFAULT, RewardTracker
from envs.scml.session import LearnerView, WorldSession, world_seed_from
from envs.scml.state_builder import observation_space
from envs.scml.thread_features import thread_observation, thread_spaces
from envs.scml.world_builder import WorldConfig
from policies.decision.agent import ExecutorStdAgent
from policies.decision.contexts import DecisionInputs
from policies.decision.executor import Executor
from policies.decision.snapshot import ThreadSnapshot
from policies.decision.thread_actions import (
    END_INDEX,
    ThreadActions,
    actions_from_decision,
    decision_from_actions,
    goal_inputs,
)
from policies.shield import (
    ACCEPT,
    COUNTER,
    END,
    shielded_responses,
    threads_from_awi,
)

N_OPS = 3  # accept, counter, end (policies.shield.ACCEPT/COUNTER/END)
ACTION_FORMS = ("grid", "l3")


class SCMLRoundEnv(gym.Env):
    """Per-round control of a learner factory's negotiations.

    Observation: the daily observation plus ``threads`` (K, 10), ``thread_mask`` (K,) and the
    shield's ``time_mask`` (K, H+1) for the first K = ``max_threads`` open threads.
    Action: MultiDiscrete, per thread slot ``[op, quantity level, price level, delta]`` with op in
    {accept, counter, end}; quantity level l means ``ceil((l + 1) / quantity_levels * agenda max)``,
    price level spans the agenda's price range, delta is the delivery offset in days. Slots
    without a thread are ignored; threads beyond K are ended. With ``shield=True`` (default)
    every accept and counter goes through the L1 reservation: an unsafe accept becomes the
    safe counter, an empty counter ends the thread. ``action_masks()`` gives the valid choices
    for maskable policies.
    Reward: score change since the last step (+ optional shaping, in ``info``).
    The learner's executor (default the heuristic) sets each day's goal and keeps the threads'
    histories; ``info["reference_action"]`` is its own answer to the round in the action form
    (with ``reference_actions=True``; computing it costs an extra executor call per round).

    ``action_form="l3"`` gives L3's own form instead (``envs.scml.l3_form``): the observation adds
    the L3 network's inputs per slot (goal, history, contexts, operation and time masks) and the
    action is a dict of per-slot ``operation`` (0 accept, 1 counter, 2 end), ``delivery`` offset
    and ``residual`` (dq, dp) against the L1 baseline; the learner agent's shield carries it out
    as it would the executor's own decision, with the executor's reservation weights (L4) where
    it has them. Networks trained offline act in this form unchanged.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        world: WorldConfig | dict[str, Any] | None = None,
        horizon: int = 40,
        max_threads: int = 8,
        quantity_levels: int = 10,
        price_levels: int = 5,
        shield: bool = True,
        reward_shaping: bool = SHAPING_DEFAULT,
        shaping_gamma: float = 0.99,
        executor: Executor | str | dict | None = None,
        action_form: str = "grid",
        reference_actions: bool = True,
    ) -> None:
        if action_form not in ACTION_FORMS:
            raise ValueError(f"action_form must be one of {ACTION_FORMS}, got {action_form!r}")
        if horizon < 1 or max_threads < 1 or quantity_levels < 1 or price_levels < 2:
            raise ValueError(
                "need horizon >= 1, max_threads >= 1, quantity_levels >= 1, price_levels >= 2; got "
                f"{horizon=}, {max_threads=}, {quantity_levels=}, {price_levels=}"
            )
        self.world_config = world_config(world)
        self.horizon = horizon
        self.max_threads = max_threads
        self.quantity_levels = quantity_levels
        self.price_levels = price_levels
        self.shield = shield
        self.learner_params = executor_params(executor, horizon)
        self.shaping_gamma = shaping_gamma
        self.rewards = RewardTracker(shaping=reward_shaping, gamma=shaping_gamma)
        self.action_form = action_form
        self.reference_actions = reference_actions
        self.slot_sizes = np.array([N_OPS, quantity_levels, price_levels, horizon + 1])
        if action_form == "grid":
            self.observation_space = spaces.Dict(
                {**observation_space(horizon).spaces, **thread_spaces(max_threads, horizon)}
            )
            self.action_space = spaces.MultiDiscrete(np.tile(self.slot_sizes, max_threads))
        else:
            history_length = int(self.learner_params.get("history_length", 16))
            self._l3_spaces = l3_observation_spaces(max_threads, horizon, history_length)
            self.observation_space = spaces.Dict(
                {**observation_space(horizon).spaces, **self._l3_spaces}
            )
            self.action_space = l3_action_space(max_threads, horizon)
        self._inputs: DecisionInputs | None = None
        self.session: WorldSession | None = None
        self.learner_id = ""
        self.learner_level = self.world_config.learner_process
        self.partners: list[str] = []
        self._observation: dict[str, np.ndarray] = {}
        self._view: LearnerView | None = None
        self._threads: ThreadSnapshot | None = None
        self._steps: list[int] = []

    # --- gymnasium API ----------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        world_seed = world_seed_from(self.np_random, options)
        episode = self.world_config.for_episode(self.np_random)
        self.learner_level = episode.learner_process
        self.session = WorldSession(
            episode,
            ExecutorStdAgent,
            world_seed,
            self.horizon,
            per_round=True,
            learner_params=self.learner_params,
            shaping_gamma=self.shaping_gamma,
        )
        self.learner_id = self.session.learner_ids[0]
        self.session.step_round({}, wait_for=self.learner_id)
        self._record_partners()
        observation, view = self._observe()
        self.rewards.reset(view.score, view.potential)
        return observation, self._info(view)

    def step(self, action: np.ndarray):
        if self.session is None:
            raise RuntimeError("call reset() before step()")
        if self.session.done:
            raise RuntimeError("the episode is over; call reset()")
        if self.action_form == "l3":
            responses = self._l3_responses(
                parse_l3_action(action, self.action_space, len(self.partners))
            )
        else:
            responses = self._responses(self._checked_grid_action(action))
        if self._threads is not None:
            self._agent().log_round(self.partners, self._threads, self._steps, responses)
        self.session.step_round({self.learner_id: responses}, wait_for=self.learner_id)
        self._record_partners()
        observation, view = self._observe()
        reward, parts = self.rewards.step(view.score, view.potential, self.session.done)
        return observation, reward, self.session.done, False, {**self._info(view), **parts}

    def _checked_grid_action(self, action: np.ndarray) -> np.ndarray:
        action = np.asarray(action)
        if action.shape != self.action_space.shape or not self.action_space.contains(
            action.astype(self.action_space.dtype)
        ):
            raise ValueError(
                f"action must be in {self.action_space} (per thread [op<3, q<{self.quantity_levels}, "
                f"p<{self.price_levels}, delta<={self.horizon}]); got {action.tolist()}"
            )
        return action.reshape(self.max_threads, 4)

    @property
    def last_observation(self) -> dict[str, np.ndarray]:
        """The observation returned by the last reset() or step()."""
        return self._observation

    def action_masks(self) -> np.ndarray:
        """Flat boolean mask over the MultiDiscrete choices (sb3-contrib's MaskablePPO format).
        In the L3 form the masks are part of the observation (``operation_mask``, ``time_mask``)."""
        if self.action_form == "l3":
            raise ValueError("action_masks() is for the grid form; the L3 form observes its masks")
        masks = []
        obs = self._observation
        for i in range(self.max_threads):
            valid = bool(obs["thread_mask"][i]) if obs else False
            has_offer = bool(obs["threads"][i, 2]) if obs else False
            ops = np.array([valid and has_offer, True, True])
            days = obs["time_mask"][i].astype(bool) if valid else np.ones(self.horizon + 1, bool)
            if not days.any():
                days = np.ones(self.horizon + 1, bool)  # counter is then clipped to nothing
            masks += [
                ops,
                np.ones(self.quantity_levels, bool),
                np.ones(self.price_levels, bool),
                days,
            ]
        return np.concatenate(masks)

    # --- internals -------------------------------------------------------------------------
    def _record_partners(self) -> None:
        """The threads waiting for the learner now (buy side first); none once the world ends."""
        assert self.session is not None
        self.partners = [] if self.session.done else self.session.open_threads(self.learner_id)

    def _agent(self) -> ExecutorStdAgent:
        assert self.session is not None
        return self.session.agent(self.learner_id)

    def _observe(self):
        assert self.session is not None
        view = self.session.view(self.learner_id)
        awi = self.session.awi(self.learner_id)
        agent = self._agent()
        self._view, self._threads, self._inputs = view, None, None
        if self.partners and agent.day is not None:
            offers = self._offers()
            states = {p: awi.current_states.get(p) for p in self.partners}
            self._threads, self._steps = agent.thread_snapshot(self.partners, offers, states)
        if self.action_form == "l3":
            if self._threads is not None:
                assert agent.day is not None
                self._inputs = goal_inputs(agent.day, agent.goal, self._threads, self.horizon)
            extra = l3_observation(self._inputs, self._threads, self._l3_spaces)
        else:
            threads = threads_from_awi(awi, self.partners, self.horizon)
            extra = thread_observation(awi, self.partners, threads, view.limits, self.max_threads)
        self._observation = {**view.observation, **extra}
        return self._observation, view

    def _offers(self) -> dict:
        assert self.session is not None
        awi = self.session.awi(self.learner_id)
        return {p: awi.current_offers.get(p) for p in self.partners}

    def _l3_responses(self, actions: ThreadActions) -> dict[str, SAOResponse]:
        """Carry out L3 actions through the learner agent's shield; threads beyond the slots end."""
        if self._threads is None or self._inputs is None:
            return {}
        n, shown = len(self.partners), len(actions.operation)
        full = ThreadActions(
            operation=np.concatenate([actions.operation, np.full(n - shown, END_INDEX)]),
            delivery=np.concatenate([actions.delivery, np.zeros(n - shown, np.int64)]),
            residual=np.concatenate([actions.residual, np.zeros((n - shown, 2), np.float32)]),
        )
        decision = decision_from_actions(
            self._inputs, self._threads, full, self._reservation_weights()
        )
        decision.kind[shown:] = END
        return self._agent().shielded_round(self.partners, self._offers(), self._threads, decision)

    def _reservation_weights(self) -> np.ndarray:
        """The executor's L4 weights where it has them, else equal weights."""
        assert self._inputs is not None
        executor = self._agent().executor
        if hasattr(executor, "reservation_weights"):
            return executor.reservation_weights(self._inputs)
        return np.ones(len(self.partners))

    def _reference_action(self) -> np.ndarray | dict[str, np.ndarray]:
        """The executor's own answer to this round in the action form (END where nothing)."""
        if self.action_form == "l3":
            return self._l3_reference_action()
        slots = np.zeros((self.max_threads, 4), dtype=np.int64)
        slots[:, 0] = END
        if self._threads is None:
            return slots.reshape(-1)
        assert self.session is not None
        awi = self.session.awi(self.learner_id)
        partners = self.partners
        offers = self._offers()
        responses = self._agent().decide_round(partners, offers, self._threads)
        bounds = self._threads.bounds
        shown = min(len(partners), self.max_threads)
        # Fields an answer does not use still get allowed values, so masked policies agree.
        allowed_days = self._observation["time_mask"][:shown].astype(bool)
        slots[:shown, 3] = np.where(allowed_days.any(axis=1), np.argmax(allowed_days, axis=1), 0)
        for i, partner in enumerate(partners[:shown]):
            response = responses[partner]
            if response.outcome is None:
                continue
            outcome = response.outcome
            q_frac = outcome[0] / max(float(bounds.q_max[i]), 1.0)
            span = max(float(bounds.p_max[i] - bounds.p_min[i]), 1e-9)
            slots[i] = [
                ACCEPT if response.response == ResponseType.ACCEPT_OFFER else COUNTER,
                np.clip(
                    int(np.ceil(q_frac * self.quantity_levels)) - 1, 0, self.quantity_levels - 1
                ),
                np.clip(
                    round((outcome[2] - bounds.p_min[i]) / span * (self.price_levels - 1)),
                    0,
                    self.price_levels - 1,
                ),
                np.clip(outcome[1] - awi.current_step, 0, self.horizon),
            ]
        return slots.reshape(-1)

    def _l3_reference_action(self) -> dict[str, np.ndarray]:
        k = self.max_threads
        out = {
            "operation": np.full(k, END_INDEX, dtype=np.int64),
            "delivery": np.argmax(self._observation["time_mask"], axis=1).astype(np.int64),
            "residual": np.zeros((k, 2), dtype=np.float32),
        }
        if self._threads is None or self._inputs is None:
            return out
        agent = self._agent()
        assert agent.day is not None
        decision = agent.executor.respond(agent.day, agent.goal, self._threads, agent.secured)
        actions = actions_from_decision(self._inputs, self._threads, decision, self.horizon)
        shown = min(len(self.partners), k)
        out["operation"][:shown] = actions.operation[:shown]
        out["delivery"][:shown] = actions.delivery[:shown]
        out["residual"][:shown] = actions.residual[:shown]
        return out

    def _responses(self, slots: np.ndarray) -> dict[str, SAOResponse]:
        assert self.session is not None
        awi = self.session.awi(self.learner_id)
        partners = self.partners
        if not partners:
            return {}
        threads = threads_from_awi(awi, partners, self.horizon)
        n = len(partners)
        shown = min(n, self.max_threads)
        kind = np.full(n, END)
        kind[:shown] = slots[:shown, 0]
        offers = [awi.current_offers.get(p) for p in partners]
        has_offer = np.array([o is not None for o in offers])
        kind = np.where((kind == ACCEPT) & ~has_offer, COUNTER, kind)
        q_levels = np.zeros(n)
        q_levels[:shown] = slots[:shown, 1]
        p_levels = np.zeros(n)
        p_levels[:shown] = slots[:shown, 2]
        d = np.zeros(n, dtype=np.int64)
        d[:shown] = slots[:shown, 3]
        q = np.ceil((q_levels + 1) / self.quantity_levels * threads.q_max)
        p = threads.p_min + p_levels / (self.price_levels - 1) * (threads.p_max - threads.p_min)
        today = awi.current_step
        accepting = kind == ACCEPT
        for i in np.flatnonzero(accepting):
            q[i], d[i], p[i] = offers[i][0], offers[i][1] - today, offers[i][2]
        if self.shield:
            # The world has not moved since the last observation: reuse its shield state.
            assert self._view is not None
            state = self._view.state
            kind, granted = shielded_responses(kind, q, p, d, np.zeros(n), state, threads)
            q, p, d = granted.quantity, granted.unit_price, granted.delta
        responses = {}
        for i, partner in enumerate(partners):
            if kind[i] == ACCEPT:
                responses[partner] = SAOResponse(ResponseType.ACCEPT_OFFER, offers[i])
            elif kind[i] == END or q[i] <= 0:
                responses[partner] = SAOResponse(ResponseType.END_NEGOTIATION, None)
            else:
                price = int(np.clip(np.rint(p[i]), threads.p_min[i], threads.p_max[i]))
                day = today + int(np.clip(d[i], threads.min_delta[i], threads.max_delta[i]))
                responses[partner] = SAOResponse(ResponseType.REJECT_OFFER, (int(q[i]), day, price))
        return responses

    def _info(self, view) -> dict[str, Any]:
        assert self.session is not None
        info = {
            "day": self.session.world.current_step,
            "score": view.score,
            "potential": view.potential,
            "agent_id": self.learner_id,
            "level": self.learner_level,
            "position": self.world_config.position(self.learner_level),
            "n_threads": len(self.partners),
        }
        if self.action_form == "grid":
            info["action_mask"] = self.action_masks()
        if self.reference_actions:
            info["reference_action"] = self._reference_action()
        return info
