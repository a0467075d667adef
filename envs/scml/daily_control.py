"""Daily control shared by the single- and multi-agent daily environments."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from envs.scml.session import LearnerView, WorldSession
from policies.decision.agent import ExecutorStdAgent
from policies.decision.executor import HEURISTIC_EXECUTOR, Executor, resolve_executor
from policies.l2_goal import GoalCodec


def check_goal_action(space: spaces.Box, action: np.ndarray, who: str = "action") -> np.ndarray:
    """The action as float32, or a ValueError that says what is wrong with it."""
    array = np.asarray(action, dtype=np.float32)
    if not space.contains(array):
        finite = array[np.isfinite(array)] if array.size else array
        low = float(finite.min()) if finite.size else float("nan")
        high = float(finite.max()) if finite.size else float("nan")
        raise ValueError(
            f"{who} must be 16 values in [-1, 1] (the L2 goal); got shape {array.shape}, "
            f"range [{low:.3g}, {high:.3g}], finite={bool(np.isfinite(array).all())}"
        )
    return array


def executor_params(executor: Executor | str | dict | None, horizon: int) -> dict[str, Any]:
    """Constructor arguments of the learner agents that carry out a day with ``executor``
    (default: the heuristic, named by path so that environments need not import baselines).
    An executor with its own horizon (trained networks) must match the env's; its history
    length sets how many earlier offers the agent keeps per thread."""
    resolved = resolve_executor(executor or HEURISTIC_EXECUTOR)
    own = getattr(resolved, "horizon", horizon)
    if own != horizon:
        raise ValueError(f"the executor works with horizon {own}, the environment with {horizon}")
    params: dict[str, Any] = {"executor": resolved, "horizon": horizon}
    if hasattr(resolved, "history_length"):
        params["history_length"] = resolved.history_length
    return params


def apply_goal(session: WorldSession, agent_id: str, codec: GoalCodec, action: np.ndarray) -> None:
    """Hand a normalized goal to the learner's executor agent for the coming day."""
    awi = session.awi(agent_id)
    session.agent(agent_id).goal_override = codec.decode(
        action,
        n_lines=awi.n_lines,
        price_in=float(awi.trading_prices[awi.my_input_product]),
        price_out=float(awi.trading_prices[awi.my_output_product]),
    )


def reference_action(
    session: WorldSession, agent_id: str, codec: GoalCodec, view: LearnerView
) -> np.ndarray:
    """The normalized goal the learner's executor would set itself from ``view``."""
    agent: ExecutorStdAgent = session.agent(agent_id)
    goal = agent.executor.plan(view.day)
    return codec.encode(goal, view.day.n_lines, view.day.market.price_in, view.day.market.price_out)
