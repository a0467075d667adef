"""Vectorized market core: B independent markets x N traders, numpy arrays, no Python loop over
either in the step.

Each market follows its own exogenous return series (data or generator). The traders' net order
flow of a bar moves the next price (permanent impact), so their actions interact. Trades pay fee
and slippage at execution and respect position and leverage limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from envs.market.costs import CostModel
from envs.market.indicators import FEATURE_NAMES, IncrementalIndicators
from envs.trading.agent_types import TYPE_NAMES, resolve_types, type_arrays

PORTFOLIO_FEATURES = (
    "position_value",
    "cash_share",
    "return_so_far",
    "last_trade",
    "position_units",
    "time_left",
)
MESSAGE_FEATURES = ("others_position_value", "others_net_flow", "others_long_share", "price_gap")
N_FEATURES = len(FEATURE_NAMES) + len(PORTFOLIO_FEATURES) + len(MESSAGE_FEATURES) + len(TYPE_NAMES)
OBS_BOUND = 10.0


@dataclass(frozen=True)
class TradingConfig:
    """Market and trader settings shared by all B markets.

    types: one trader type name per agent (see envs.trading.agent_types).
    max_trade: largest trade per step, in units (action 1.0 trades this much).
    max_position: position limit in units; max_leverage: |position value| <= leverage * equity.
    initial_position: units every trader holds at the start (bought with money outside its
        cash, so equity starts at cash + position value; returns are counted from there).
    liquidate_at_end: in the last bar every remaining position is sold (or bought back) in one
        block, beyond ``max_trade``, paying that bar's impact like any other flow: a deadline.
    share_messages: False hides the other traders' positions and flows from everyone (those
        inputs are 0 whatever the type), so a trader knows the others only through the price.
    """

    types: tuple[str, ...] = ("market_maker", "trend_follower", "mean_reversion", "arbitrageur")
    initial_cash: float = 10_000.0
    max_trade: float = 10.0
    max_position: float = 50.0
    max_leverage: float = 2.0
    initial_position: float = 0.0
    liquidate_at_end: bool = False
    share_messages: bool = True
    costs: CostModel = field(default_factory=CostModel)

    def __post_init__(self) -> None:
        resolve_types(list(self.types))
        if len(self.types) < 1:
            raise ValueError("TradingConfig.types needs at least one trader")
        for name in ("initial_cash", "max_trade", "max_position", "max_leverage"):
            if getattr(self, name) <= 0:
                raise ValueError(f"TradingConfig.{name} must be > 0, got {getattr(self, name)}")
        if abs(self.initial_position) > self.max_position:
            raise ValueError(
                f"TradingConfig.initial_position {self.initial_position} exceeds max_position {self.max_position}"
            )


class MarketCore:
    """State and dynamics of B markets with N traders each.

    Args:
        returns: exogenous log returns, shape (B, T); bar t's return moves the price from bar t
            to bar t+1 (before impact).
        volumes: bar volumes, shape (B, T), scale the impact of the traders' flow.
        start_prices: shape (B,).
    """

    def __init__(
        self,
        config: TradingConfig,
        returns: np.ndarray,
        volumes: np.ndarray,
        start_prices: np.ndarray,
    ) -> None:
        if (
            returns.ndim != 2
            or returns.shape != volumes.shape
            or start_prices.shape != returns.shape[:1]
        ):
            raise ValueError(
                f"returns {returns.shape} and volumes {volumes.shape} must be (B, T), start_prices {start_prices.shape} (B,)"
            )
        if not (np.isfinite(returns).all() and (volumes > 0).all() and (start_prices > 0).all()):
            raise ValueError("returns must be finite, volumes and start prices positive")
        self.config = config
        self.returns, self.volumes, self.start_prices = returns, volumes, start_prices
        self.n_markets, self.horizon = returns.shape
        self.n_agents = len(config.types)
        params = type_arrays(resolve_types(list(config.types)))
        self._penalty = params["inventory_penalty"]
        self._risk = params["risk_aversion"]
        self._cooperation = params["cooperation_weight"]
        self._watches = params["watches_messages"] * float(config.share_messages)
        self._one_hot = params["one_hot"]
        self.reset()

    # --- state ---------------------------------------------------------------------------
    def reset(self) -> np.ndarray:
        """Start every market at bar 0; returns observations (B, N, F)."""
        b, n = self.n_markets, self.n_agents
        self.t = 0
        self.price = self.start_prices.astype(np.float64).copy()
        self.reference = self.price.copy()  # the exogenous path, without the traders' impact
        self.cash = np.full((b, n), self.config.initial_cash)
        self.position = np.full((b, n), float(self.config.initial_position))
        self.last_trade = np.zeros((b, n))
        self.equity = self.cash + self.position * self.price[:, None]
        self.indicators = IncrementalIndicators(b)
        self.features = self.indicators.update(self.price)
        self._flow = np.zeros(b)
        self._obs = np.zeros((b, n, N_FEATURES), dtype=np.float32)
        self._obs[:, :, N_FEATURES - len(TYPE_NAMES) :] = self._one_hot[None]
        return self.observe()

    @property
    def done(self) -> bool:
        return self.t >= self.horizon - 1

    # --- dynamics --------------------------------------------------------------------------
    def limit_trades(self, trade: np.ndarray) -> np.ndarray:
        """Trades (units) cut so that positions stay within the position and leverage limits."""
        c = self.config
        wanted = self.position + trade
        room = np.minimum(
            c.max_position, c.max_leverage * np.maximum(self.equity, 0.0) / self.price[:, None]
        )
        return np.clip(wanted, -room, room) - self.position

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Advance every market one bar. ``actions`` (B, N) in [-1, 1] scale ``max_trade``.

        Returns observations (B, N, F), rewards (B, N) and parts of the reward and state.
        """
        if self.done:
            raise RuntimeError("the episode is over; call reset()")
        c = self.config
        actions = np.asarray(actions, dtype=np.float64)
        if actions.shape != (self.n_markets, self.n_agents):
            raise ValueError(
                f"actions must have shape {(self.n_markets, self.n_agents)}, got {actions.shape}"
            )
        trade = self.limit_trades(np.clip(actions, -1.0, 1.0) * c.max_trade)
        if c.liquidate_at_end and self.t == self.horizon - 2:  # the deadline bar
            trade = -self.position
        # Everyone fills at the bar's clearing price, which gives way to the bar's net flow.
        self._flow = trade.sum(axis=1)
        volume = self.volumes[:, self.t]
        price = (
            self.price * (1.0 + np.clip(c.costs.clearing_move(self._flow, volume), -0.5, 0.5))
        )[:, None]
        self.cash -= trade * c.costs.fill_price(trade, price) + c.costs.fee(trade, price)
        self.position += trade
        self.last_trade = trade

        # The bar moves: exogenous return, then the lasting impact of the traders' net flow.
        impact = np.clip(c.costs.impact(self._flow, volume), -0.5, 0.5)
        growth = np.exp(self.returns[:, self.t])
        self.reference = self.reference * growth
        self.price = self.price * growth * (1.0 + impact)
        self.t += 1

        equity = self.cash + self.position * self.price[:, None]
        step_return = (equity - self.equity) / c.initial_cash
        self.equity = equity
        others = (step_return.sum(axis=1, keepdims=True) - step_return) / max(self.n_agents - 1, 1)
        exposure = np.abs(self.position) * self.price[:, None] / c.initial_cash
        reward = (
            step_return
            - self._penalty * exposure
            - self._risk * step_return**2
            + self._cooperation * others
        )
        self.features = self.indicators.update(self.price)
        parts = {"pnl": step_return, "exposure": exposure, "cooperation": others, "impact": impact}
        return self.observe(), reward, parts

    # --- observations ------------------------------------------------------------------------
    def observe(self) -> np.ndarray:
        """(B, N, F) float32: market indicators, own portfolio, messages, type code; clipped.

        Filled into a buffer allocated at reset (the type code is written there once); the
        caller gets a copy, so a later step never changes an observation already handed out.
        """
        c = self.config
        n = self.n_agents
        out = self._obs
        price = self.price[:, None]
        equity = np.maximum(self.equity, 1e-9)
        value = self.position * price
        m, p = len(FEATURE_NAMES), len(FEATURE_NAMES) + len(PORTFOLIO_FEATURES)
        out[:, :, :m] = self.features[:, None, :]
        out[:, :, m] = value / equity
        out[:, :, m + 1] = self.cash / equity
        out[:, :, m + 2] = self.equity / c.initial_cash - 1.0
        out[:, :, m + 3] = self.last_trade / c.max_trade
        out[:, :, m + 4] = self.position / c.max_position
        out[:, :, m + 5] = (self.horizon - 1 - self.t) / 100.0  # bars left, in hundreds
        # Messages: what the *other* traders really hold and did (means over others).
        others = max(n - 1, 1)
        watches = self._watches[None, :]
        out[:, :, p] = (
            (value.sum(axis=1, keepdims=True) - value) / (others * c.initial_cash) * watches
        )
        volume = np.maximum(self.volumes[:, max(self.t - 1, 0)], 1e-9)[:, None]
        out[:, :, p + 1] = (self._flow[:, None] - self.last_trade) / volume * watches
        long = self.position > 0
        out[:, :, p + 2] = (long.sum(axis=1, keepdims=True) - long) / others * watches
        out[:, :, p + 3] = (self.price / self.reference - 1.0)[:, None] * watches
        np.clip(out, -OBS_BOUND, OBS_BOUND, out=out)
        return out.copy()
