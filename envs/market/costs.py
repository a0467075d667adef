"""Execution costs: fee + slippage on every trade, and price impact of the net order flow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CostModel:
    """Costs of trading, all as fractions of the traded value unless stated.

    fee_rate: exchange fee on |value|.
    slippage_bps: half-spread paid on |value|, in basis points.
    impact_coefficient: price move per unit of net flow relative to the bar's volume; the next
        price moves by ``impact_coefficient * sign(flow) * |flow / volume| ** impact_exponent``.
    impact_exponent: 1 is linear impact, 0.5 the square-root law (both impacts).
    temporary_impact: how far the bar's clearing price gives way to the bar's net flow, with
        the same participation law; every trader of the bar fills at that price and the move
        does not persist. Traders who hit the market in the same bar pay for each other's flow,
        so spacing trades out pays (0: fills at the bar's price).
    fixed_cost: money charged per order sent (any nonzero trade), whatever its size, so many
        small orders cost more than one block.
    """

    fee_rate: float = 0.0005
    slippage_bps: float = 2.0
    impact_coefficient: float = 0.1
    impact_exponent: float = 0.5
    temporary_impact: float = 0.0
    fixed_cost: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "fee_rate",
            "slippage_bps",
            "impact_coefficient",
            "impact_exponent",
            "temporary_impact",
            "fixed_cost",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"CostModel.{name} must be >= 0, got {getattr(self, name)}")

    def trading_cost(self, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
        """Money lost to fee and slippage for trading ``quantity`` units (any sign) at ``price``."""
        slippage = np.abs(quantity) * price * self.slippage_bps * 1e-4
        return slippage + self.fee(quantity, price)

    def fee(self, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
        """The exchange's charges: the rate on the traded value plus the fixed cost of every order
        sent (slippage is in the fill price)."""
        return np.abs(quantity) * price * self.fee_rate + self.fixed_cost * (quantity != 0)

    def fill_price(self, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
        """Price actually paid (buying) or received (selling), slippage included."""
        return price * (1.0 + np.sign(quantity) * self.slippage_bps * 1e-4)

    def impact(self, net_flow: np.ndarray, volume: np.ndarray) -> np.ndarray:
        """Relative price move caused by the net order flow of one bar."""
        return self.impact_coefficient * self._participation_move(net_flow, volume)

    def clearing_move(self, net_flow: np.ndarray, volume: np.ndarray) -> np.ndarray:
        """Relative move of the bar's clearing price under the bar's net flow (temporary)."""
        return self.temporary_impact * self._participation_move(net_flow, volume)

    def _participation_move(self, net_flow: np.ndarray, volume: np.ndarray) -> np.ndarray:
        participation = np.abs(net_flow) / np.maximum(volume, 1e-12)
        return np.sign(net_flow) * participation**self.impact_exponent
