"""The market facts of one factory's day that decisions need beyond the shield state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A factory's supply-chain position, the names MarketView.position gives.
POSITIONS = ("first", "middle", "last")


@dataclass(frozen=True)
class MarketView:
    """Today's prices, role and needs of one factory (all in world units)."""

    price_in: float
    price_out: float
    production_cost: float
    can_buy: bool
    can_sell: bool
    needed_supplies: float
    needed_sales: float
    exogenous_input: float
    exogenous_output: float
    negotiation_horizon: int
    storage_cost: float = 0.0  # money per unit of raw stock per day (rate x input price)

    @property
    def position(self) -> str:
        """The factory's place in the chain: ``first`` (buys nothing), ``last`` (sells
        nothing) or ``middle``."""
        return "first" if not self.can_buy else "last" if not self.can_sell else "middle"

    @classmethod
    def from_awi(cls, awi: Any) -> MarketView:
        prices = awi.trading_prices
        return cls(
            price_in=float(prices[awi.my_input_product]),
            price_out=float(prices[awi.my_output_product]),
            production_cost=float(awi.profile.cost),
            can_buy=not awi.is_first_level,
            can_sell=not awi.is_last_level,
            needed_supplies=float(max(0, awi.needed_supplies)),
            needed_sales=float(max(0, awi.needed_sales)),
            exogenous_input=float(awi.current_exogenous_input_quantity),
            exogenous_output=float(awi.current_exogenous_output_quantity),
            negotiation_horizon=int(awi.horizon),
            storage_cost=storage_cost(awi) * float(prices[awi.my_input_product]),
        )


def storage_cost(awi: Any) -> float:
    """Today's storage rate (scml has none past the world's last day, where views are still
    taken for the final score)."""
    return float(awi.current_storage_cost) if awi.current_step < awi.n_steps else 0.0
