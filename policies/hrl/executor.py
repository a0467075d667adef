"""LearnedExecutor: the trained L2/L3/L4 networks as an executor (policies.decision.executor).

L2 (HorizonManager) sets the day's goal from the L2 observation; per thread L3
(TemporalDecisionTransformer) picks accept / counter / end, the counter's residual against the
L1 baseline offer and its delivery offset (masked by the L1 time mask); L4 (GlobalCoordinator)
weights the threads for the shield's reservation. Every input comes from
:func:`policies.decision.contexts.decision_inputs`, the function the offline samples use.
Needs numpy and torch only.

A world seen to consume its raw stock (``DaySnapshot.world_consumes_stock``) is one our
collections never show the networks (they run under scml's accounting, where stock never
falls): there ``consumed_world_planner``, when given, sets the day's goal instead of L2 at the
positions named, and L3/L4 still decide every thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from policies.decision.contexts import DecisionInputs
from policies.decision.executor import Decision, Executor, goal_need_by_thread
from policies.decision.market_view import POSITIONS
from policies.decision.observation import build_observation
from policies.decision.snapshot import DaySnapshot, ThreadSnapshot
from policies.decision.thread_actions import (
    COUNTER_INDEX,
    ThreadActions,
    decision_from_actions,
    goal_inputs,
)
from policies.hrl.bundle import HRLBundle
from policies.l2_goal import GoalCodec
from policies.shield import END

MIN_OPENING = 0.5  # units a side of the goal must still want for an opening to be sent


class LearnedExecutor:
    """Args:
    bundle: the networks (put in eval mode here).
    record: keep every round's :class:`DecisionInputs` in ``inputs_log`` (parity checks).
    consumed_world_planner: the executor whose plan is the day's goal once the world is seen to
        consume stock (None: L2 plans there too). Trained under scml's accounting, L2 plans a
        middle factory's stock once and then little buying: in worlds where production uses the
        stock up, an export that did so sold 388 units a world at the middle against the
        heuristic's 710 (experiments/reports/scml/imitation/consumed_world_goals.md).
    consumed_world_positions: where the planner applies (``first``, ``middle``, ``last``). L3
        was trained on hindsight goals, not on a planner's stated ones: given the heuristic's
        goals, a first-level learner sold 36 units a world instead of 813 (same report).
    """

    _loaded: ClassVar[dict[str, HRLBundle]] = {}

    def __init__(
        self,
        bundle: HRLBundle,
        record: bool = False,
        consumed_world_planner: Executor | None = None,
        consumed_world_positions: tuple[str, ...] = POSITIONS,
    ) -> None:
        unknown = sorted(set(consumed_world_positions) - set(POSITIONS))
        if unknown:
            raise ValueError(f"consumed_world_positions: unknown {unknown}; known {POSITIONS}")
        self.consumed_world_planner = consumed_world_planner
        self.consumed_world_positions = tuple(consumed_world_positions)
        self.bundle = bundle.eval()
        self.horizon = bundle.config.horizon
        self.history_length = bundle.config.history_length
        self.codec = GoalCodec(self.horizon)
        self.record = record
        self.inputs_log: list[DecisionInputs] = []

    @classmethod
    def load(
        cls,
        directory: str | Path,
        record: bool = False,
        consumed_world_planner: Executor | None = None,
        consumed_world_positions: tuple[str, ...] = POSITIONS,
    ) -> LearnedExecutor:
        """An executor on the bundle in ``directory``, loaded once per process."""
        key = str(Path(directory).resolve())
        if key not in cls._loaded:
            cls._loaded[key] = HRLBundle.load(Path(key))
        return cls(cls._loaded[key], record, consumed_world_planner, consumed_world_positions)

    @torch.no_grad()
    def plan(self, day: DaySnapshot) -> np.ndarray:
        if (
            self.consumed_world_planner is not None
            and day.world_consumes_stock
            and day.market.position in self.consumed_world_positions
        ):
            return self.consumed_world_planner.plan(day)
        obs = build_observation(day)
        tensors = {k: torch.as_tensor(v, dtype=torch.float32)[None] for k, v in obs.items()}
        mean = self.bundle.manager(tensors)[0][0].numpy()
        return self.codec.decode(mean, day.n_lines, day.market.price_in, day.market.price_out)

    def inputs(self, day: DaySnapshot, goal: np.ndarray, threads: ThreadSnapshot) -> DecisionInputs:
        return goal_inputs(day, goal, threads, self.horizon)

    @torch.no_grad()
    def actions(self, inputs: DecisionInputs, has_offer: np.ndarray) -> ThreadActions:
        """L3's most likely choices (the mode of its policy) for the threads of ``inputs``."""
        x, net = inputs, self.bundle.transformer
        goal, history = torch.as_tensor(x.goal), torch.as_tensor(x.history)
        valid = torch.as_tensor(x.history_valid)
        out = net.decide(
            goal,
            history,
            valid,
            torch.as_tensor(x.proposal_context),
            torch.as_tensor(x.answer_context),
            torch.as_tensor(x.time_mask),
        )
        return ThreadActions(
            operation=np.where(has_offer, out["operation_logits"].argmax(1).numpy(), COUNTER_INDEX),
            delivery=np.where(
                x.time_mask.any(axis=1), out["time_logits"].argmax(1).numpy(), x.baseline.delta
            ).astype(np.int64),
            residual=out["residual"].numpy(),
        )

    @torch.no_grad()
    def reservation_weights(self, inputs: DecisionInputs) -> np.ndarray:
        """L4's reservation weights of the threads of ``inputs``."""
        n = len(inputs.coordinator_delta)
        return self.bundle.coordinator(
            torch.as_tensor(inputs.coordinator_rows[None]),
            torch.as_tensor(inputs.coordinator_delta[None]),
            torch.ones(1, n),
        )[0].numpy()

    def respond(
        self, day: DaySnapshot, goal: np.ndarray, threads: ThreadSnapshot, secured: np.ndarray
    ) -> Decision:
        x = self.inputs(day, goal, threads)
        if self.record:
            self.inputs_log.append(x)
        actions = self.actions(x, threads.has_offer)
        decision = decision_from_actions(x, threads, actions, self.reservation_weights(x))
        # L3 always opens (its operations without an offer are counters only), so an opening
        # is withdrawn where its side of the goal wants less than a unit, as the heuristic
        # does: under scml's accounting a last-level learner whose stock covered its lines
        # (the teacher then buys nothing) opened 7010 buy proposals over 12 worlds and bought
        # 209 units a world, the teacher 26.
        wanted = goal_need_by_thread(goal, secured, threads.bounds.is_buy).sum(axis=1)
        unwanted = ~threads.has_offer & (wanted < MIN_OPENING)
        return decision._replace(kind=np.where(unwanted, END, decision.kind))


def learned_executor(directory: str | Path, record: bool = False) -> LearnedExecutor:
    """:meth:`LearnedExecutor.load` as a plain function, for executor specs
    (``{"_target_": "policies.hrl.executor:learned_executor", "directory": ...}``)."""
    return LearnedExecutor.load(directory, record)
