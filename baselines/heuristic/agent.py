"""HeuristicStdAgent: the heuristic executor in an SCML std agent, under the L1 shield."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baselines.heuristic.executor import HeuristicExecutor
from baselines.heuristic.params import HeuristicParams
from policies.decision.agent import ExecutorStdAgent


class HeuristicStdAgent(ExecutorStdAgent):
    """Needs-driven SCML std agent.

    Args:
        params: the heuristic's parameters (:class:`HeuristicParams` or a mapping of its
            fields; None: the defaults).
        horizon: H, days the shield and the plan look ahead.
        reserve: money the shield never commits.
    """

    def __init__(
        self,
        *args: Any,
        params: HeuristicParams | Mapping[str, Any] | None = None,
        horizon: int = 40,
        reserve: float = 0.0,
        **kwargs: Any,
    ) -> None:
        executor = HeuristicExecutor(params)
        super().__init__(*args, executor=executor, horizon=horizon, reserve=reserve, **kwargs)
