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
    impact_exponent: 1 is linear impact, 0.5 the square-root law.
    """

    fee_rate: float = 0.0005
    slippage_bps: float = 2.0
    impact_coefficient: float = 0.1
    impact_exponent: float = 0.5

    def __post_init__(self) -> None:
        for name in ("fee_rate", "slippage_bps", "impact_coefficient", "impact_exponent"):
            if getattr(self, name) < 0:
                raise ValueError(f"CostModel.{name} must be >= 0, got {getattr(self, name)}")

    def trading_cost(self, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
        """Money lost to fee and slippage for trading ``quantity`` units (any sign) at ``price``."""
        value = np.abs(quantity) * price
        return value * (self.fee_rate + self.slippage_bps * 1e-4)

    def fee(self, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
        """The exchange fee alone (slippage is in the fill price)."""
        return np.abs(quantity) * price * self.fee_rate

    def fill_price(self, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
        """Price actually paid (buying) or received (selling), slippage included."""
        return price * (1.0 + np.sign(quantity) * self.slippage_bps * 1e-4)

    def impact(self, net_flow: np.ndarray, volume: np.ndarray) -> np.ndarray:
        """Relative price move caused by the net order flow of one bar."""
        participation = np.abs(net_flow) / np.maximum(volume, 1e-12)
        return self.impact_coefficient * np.sign(net_flow) * participation**self.impact_exponent
