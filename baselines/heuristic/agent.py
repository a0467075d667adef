"""HeuristicStdAgent: the heuristic executor in an SCML std agent, under the L1 shield."""

from __future__ import annotations

from typing import Any

from baselines.heuristic.executor import HeuristicExecutor
from policies.decision.agent import ExecutorStdAgent


class HeuristicStdAgent(ExecutorStdAgent):
    """Needs-driven SCML std agent (see :class:`HeuristicExecutor` for the parameters).

    Args:
        horizon: H, days the shield and the plan look ahead.
        reserve: money the shield never commits.
    """

    def __init__(
        self,
        *args: Any,
        horizon: int = 40,
        production_target: float = 0.8,
        concession_exponent: float = 2.0,
        first_level_exponent: float = 0.5,
        price_slack: float = 0.1,
        storage_aware: bool = True,
        whole_prices: bool = True,
        sales_at_limit: bool = True,
        stock_priced_sales: bool = True,
        last_level_full_stock: bool = True,
        reserve: float = 0.0,
        **kwargs: Any,
    ) -> None:
        executor = HeuristicExecutor(
            production_target,
            concession_exponent,
            first_level_exponent,
            price_slack,
            storage_aware,
            whole_prices,
            sales_at_limit,
            stock_priced_sales,
            last_level_full_stock,
        )
        super().__init__(*args, executor=executor, horizon=horizon, reserve=reserve, **kwargs)
