"""Reward: change of the SCML score, optionally plus potential-based shaping.

The shaping term is gamma * phi(s') - phi(s) with phi the mark-to-market value of inventory and
open contracts (in units of the initial balance), so it cannot change which policy is optimal.
phi is 0 at the terminal state (online here, offline in ``ExpertData.daily_rewards``), so over
any episode the discounted shaped return is the discounted unshaped return minus phi(s_0).
It is reported separately so learning curves with and without it stay comparable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.shield import ShieldState

# One default for the environments and the offline stages (conf/train.yaml ``shaping``).
SHAPING_DEFAULT = True


def potential(
    state: ShieldState, price_in: float, price_out: float, initial_balance: float, gamma: float
) -> float:
    """Discounted mark-to-market value of inventory and signed future deliveries."""
    discount = gamma ** np.arange(state.horizon + 1)
    stock = state.inventory_input[0] * price_in + state.inventory_output[0] * price_out
    # A purchase is worth its goods at market minus what we pay; a sale what we are paid minus
    # the goods at market.
    purchases = discount @ (state.incoming[0] * price_in - state.payables[0])
    sales = discount @ (state.receivables[0] - state.outgoing[0] * price_out)
    return float((stock + purchases + sales) / max(initial_balance, 1.0))


@dataclass
class RewardTracker:
    """Turns successive scores (and potentials) of one factory into rewards."""

    shaping: bool = SHAPING_DEFAULT
    gamma: float = 0.99
    _last_score: float = 0.0
    _last_potential: float = 0.0

    def reset(self, score: float, phi: float) -> None:
        self._last_score, self._last_potential = score, phi

    def step(self, score: float, phi: float, terminal: bool) -> tuple[float, dict[str, float]]:
        """Reward of one step; the potential of a terminal state counts as 0."""
        phi = 0.0 if terminal else phi
        score_change = score - self._last_score
        shaping = self.gamma * phi - self._last_potential
        self._last_score, self._last_potential = score, phi
        reward = score_change + (shaping if self.shaping else 0.0)
        return float(reward), {"score": score, "score_change": score_change, "shaping": shaping}
