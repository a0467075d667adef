"""The heuristic planner as an SCMLDailyEnv policy (a reference point for learned L2 goals)."""

from __future__ import annotations

import numpy as np

from baselines.heuristic.market_view import MarketView
from baselines.heuristic.planner import plan_goal


class HeuristicDailyPolicy:
    """Maps the env's current state to the goal the heuristic planner would set, normalized."""

    def __init__(self, env, production_target: float = 0.8, price_slack: float = 0.1) -> None:
        self.env = env
        self.production_target = production_target
        self.price_slack = price_slack

    def __call__(self, observation=None) -> np.ndarray:
        env = self.env
        view = env.session.view(env.learner_id)
        awi = env.session.awi(env.learner_id)
        market = MarketView.from_awi(awi)
        goal = plan_goal(view.state, view.limits, market, self.production_target, self.price_slack)
        return env.codec.encode(goal, awi.n_lines, market.price_in, market.price_out)
