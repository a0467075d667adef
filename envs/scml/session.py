"""The shared core of every SCML environment: one world, its learner factories, their views."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from scml.std import SCML2024StdWorld

from envs.scml.reward import potential
from envs.scml.world_builder import WorldConfig, build_world, unwrap_agent
from policies.decision.observation import build_observation
from policies.decision.snapshot import DaySnapshot
from policies.shield import ShieldLimits, ShieldState


def world_seed_from(rng: np.random.Generator, options: dict[str, Any] | None) -> int:
    """``options["world_seed"]`` when given (to replay one world), else a draw from the env's rng."""
    if options and options.get("world_seed") is not None:
        return int(options["world_seed"])
    return int(rng.integers(0, 2**31 - 1))


@dataclass(frozen=True)
class LearnerView:
    """One learner factory's snapshot, observation, potential and score at one moment."""

    day: DaySnapshot
    state: ShieldState
    limits: ShieldLimits
    observation: dict[str, np.ndarray]
    potential: float
    score: float


class WorldSession:
    """A seeded SCML std world driven from outside, by whole days or by negotiation rounds.

    Args:
        config: world shape and opponents.
        learner_type: the agent class placed in every learner slot.
        seed: seeds world generation and every agent's randomness.
        horizon: H of the shield and observations.
        per_round: build the world for ``step_with`` (one negotiation round per call).
        learner_params: constructor arguments of the learner agents.
        shaping_gamma: discount of the shaping potential.
    """

    def __init__(
        self,
        config: WorldConfig,
        learner_type: type,
        seed: int,
        horizon: int,
        per_round: bool = False,
        learner_params: dict | None = None,
        shaping_gamma: float = 0.99,
    ) -> None:
        self.horizon = horizon
        self.per_round = per_round
        self.shaping_gamma = shaping_gamma
        self._python_rng: Any = None
        self._numpy_rng: Any = None
        self.world: SCML2024StdWorld
        with self._own_randomness(fresh=True):
            self.world, self.learner_ids = build_world(
                config,
                learner_type,
                seed,
                one_offer_per_step=per_round,
                learner_params=learner_params,
            )
        self._initial_balance = {
            aid: float(self.world.initial_balances[aid]) for aid in self.learner_ids
        }
        self._round_started = False
        self._more_rounds = True

    @contextmanager
    def _own_randomness(self, fresh: bool = False) -> Iterator[None]:
        """Run world code on this session's own copy of the global generators.

        SCML agents draw from python's and numpy's global generators; two sessions stepped in
        turn would otherwise perturb each other, and the caller's draws would perturb both.
        """
        outer = (random.getstate(), np.random.get_state())
        if not fresh:
            random.setstate(self._python_rng)
            np.random.set_state(self._numpy_rng)
        try:
            yield
        finally:
            self._python_rng, self._numpy_rng = random.getstate(), np.random.get_state()
            random.setstate(outer[0])
            np.random.set_state(outer[1])

    def agent(self, agent_id: str) -> Any:
        """The learner's agent object."""
        return unwrap_agent(self.world, agent_id)

    def awi(self, agent_id: str) -> Any:
        # The adapter's AWI exists from construction on; the inner agent's only after init.
        return self.world.agents[agent_id].awi

    @property
    def done(self) -> bool:
        if self.per_round:
            return not self._more_rounds
        return self.world.current_step >= self.world.n_steps

    def scores(self) -> dict[str, float]:
        return {aid: float(s) for aid, s in self.world.scores().items()}

    def view(self, agent_id: str, scores: dict[str, float] | None = None) -> LearnerView:
        day = DaySnapshot.from_awi(
            self.awi(agent_id), self.horizon, self._initial_balance[agent_id]
        )
        market = day.market
        phi = potential(
            day.state, market.price_in, market.price_out, day.initial_balance, self.shaping_gamma
        )
        score = (scores or self.scores())[agent_id]
        return LearnerView(day, day.state, day.limits, build_observation(day), phi, score)

    def step_day(self) -> None:
        """Run one whole simulated day; learners act through their own agent objects."""
        if self.per_round:
            raise RuntimeError("step_day() needs a session built with per_round=False")
        with self._own_randomness():
            self.world.step()

    def step_round(self, responses: dict[str, dict[str, Any]], wait_for: str | None = None) -> None:
        """Advance every negotiation by one round with the learners' responses.

        With ``wait_for`` (a learner id), keep stepping empty rounds until that learner has a
        thread to answer or the world ends (all under one swap of the random generators).
        """
        if not self.per_round:
            raise RuntimeError("step_round() needs a session built with per_round=True")
        with self._own_randomness():
            if not self._round_started:
                self._more_rounds = self.world.step_with({}, init=True)
                self._round_started = True
            else:
                self._more_rounds = self.world.step_with(responses)
            while wait_for is not None and self._more_rounds and not self.open_threads(wait_for):
                self._more_rounds = self.world.step_with({wait_for: {}})

    def open_threads(self, agent_id: str) -> list[str]:
        """Partners with a running negotiation that waits for the learner, buy side first."""
        details = self.awi(agent_id).current_negotiation_details
        return [
            partner
            for side in ("buy", "sell")
            for partner, negotiation in details[side].items()
            if not negotiation.nmi.state.ended
        ]
