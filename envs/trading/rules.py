"""Rule-based traders, one per type, vectorized over (B, N) observations of envs.trading: how the
non-learning traders of the simulator act (the env plays them; baselines may reuse them).

Each rule reads only its own observation row (the same inputs a learner gets) and returns an
action in [-1, 1] (a fraction of the maximum trade).
"""

from __future__ import annotations

import numpy as np

from envs.market.indicators import FEATURE_NAMES
from envs.trading.agent_types import TYPE_NAMES
from envs.trading.core import MESSAGE_FEATURES, PORTFOLIO_FEATURES

_MARKET = {name: i for i, name in enumerate(FEATURE_NAMES)}
_OWN = {name: len(FEATURE_NAMES) + i for i, name in enumerate(PORTFOLIO_FEATURES)}
_MSG = {
    name: len(FEATURE_NAMES) + len(PORTFOLIO_FEATURES) + i
    for i, name in enumerate(MESSAGE_FEATURES)
}


def _market_maker(obs: np.ndarray) -> np.ndarray:
    # Lean against the last move (provide liquidity) and work the inventory back to flat.
    return -20.0 * obs[..., _MARKET["log_return"]] - 2.0 * obs[..., _OWN["position_value"]]


def _trend_follower(obs: np.ndarray) -> np.ndarray:
    return 200.0 * obs[..., _MARKET["macd_hist"]] + 10.0 * obs[..., _MARKET["sma_short_gap"]]


def _mean_reversion(obs: np.ndarray) -> np.ndarray:
    return 2.0 * (0.5 - obs[..., _MARKET["rsi"]]) - 10.0 * obs[..., _MARKET["sma_long_gap"]]


def _arbitrageur(obs: np.ndarray) -> np.ndarray:
    # The traders' impact pushed the price away from the exogenous path: bet on the way back.
    return -50.0 * obs[..., _MSG["price_gap"]]


def _hedger(obs: np.ndarray) -> np.ndarray:
    return -3.0 * obs[..., _OWN["position_value"]]


def _liquidator(obs: np.ndarray) -> np.ndarray:
    # Time-weighted unwind: an equal share of what is held in each bar left (in units of the
    # largest trade, exact for the default limits: position 50 = 5 trades).
    bars_left = np.maximum(100.0 * obs[..., _OWN["time_left"]], 1.0)
    return -5.0 * obs[..., _OWN["position_units"]] / bars_left


RULES = {
    "market_maker": _market_maker,
    "trend_follower": _trend_follower,
    "mean_reversion": _mean_reversion,
    "arbitrageur": _arbitrageur,
    "hedger": _hedger,
    "liquidator": _liquidator,
}
assert set(RULES) == set(TYPE_NAMES)


def rule_actions(observations: np.ndarray, types: tuple[str, ...] | list[str]) -> np.ndarray:
    """Actions (..., N) for observations (..., N, F) of traders of the given types."""
    actions = np.empty(observations.shape[:-1])
    for name in set(types):  # a loop over the (few) types, not over agents or markets
        columns = [i for i, t in enumerate(types) if t == name]
        actions[..., columns] = RULES[name](observations[..., columns, :])
    return np.clip(actions, -1.0, 1.0)
