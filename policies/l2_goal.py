"""The L2 daily goal: 4 delivery buckets x (Q_buy, P_buy, Q_sell, P_sell).

Physical goals are arrays of shape (4, 4): per bucket the quantity to secure and the limit unit
price (buy: most we pay; sell: least we take). Policies act in a normalized box [-1, 1]^16 that
:class:`GoalCodec` maps to and from physical units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_BUCKETS = 4
GOAL_DIM = 16
Q_BUY, P_BUY, Q_SELL, P_SELL = range(4)
# What an online stage may train of the L2 goal policy: the whole network (all), or only the
# per-position goal offsets (HorizonManager.goal_offset) and the value head (goal_offsets).
L2_TRAINABLE = ("all", "goal_offsets")
# First delivery offset of each bucket: urgent 0-2, short 3-7, medium 8-14, long 15+.
BUCKET_STARTS = np.array([0, 3, 8, 15])


def bucket_of(delta: np.ndarray | int) -> np.ndarray:
    """Bucket index of delivery offsets."""
    return np.searchsorted(BUCKET_STARTS, np.asarray(delta), side="right") - 1


def bucket_days(horizon: int) -> np.ndarray:
    """How many offsets in [0, horizon] fall into each bucket (the last bucket may be empty)."""
    return np.bincount(bucket_of(np.arange(horizon + 1)), minlength=N_BUCKETS)


@dataclass(frozen=True)
class GoalCodec:
    """Maps normalized goals in [-1, 1]^16 to physical (4, 4) goals and back.

    Quantities scale with ``n_lines * days in the bucket``; prices move ``price_span`` (a
    fraction) around the reference (trading) price of the side's product.
    """

    horizon: int
    price_span: float = 0.2

    def quantity_scale(self, n_lines: float) -> np.ndarray:
        return np.maximum(1.0, n_lines * bucket_days(self.horizon))

    def decode(
        self, action: np.ndarray, n_lines: float, price_in: float, price_out: float
    ) -> np.ndarray:
        a = np.clip(np.asarray(action, dtype=np.float64).reshape(N_BUCKETS, 4), -1.0, 1.0)
        goal = np.empty_like(a)
        scale = self.quantity_scale(n_lines)
        goal[:, Q_BUY] = (a[:, Q_BUY] + 1.0) / 2.0 * scale
        goal[:, Q_SELL] = (a[:, Q_SELL] + 1.0) / 2.0 * scale
        goal[:, P_BUY] = price_in * (1.0 + self.price_span * a[:, P_BUY])
        goal[:, P_SELL] = price_out * (1.0 + self.price_span * a[:, P_SELL])
        return goal

    def encode(
        self, goal: np.ndarray, n_lines: float, price_in: float, price_out: float
    ) -> np.ndarray:
        g = np.asarray(goal, dtype=np.float64).reshape(N_BUCKETS, 4)
        a = np.empty_like(g)
        scale = self.quantity_scale(n_lines)
        a[:, Q_BUY] = 2.0 * g[:, Q_BUY] / scale - 1.0
        a[:, Q_SELL] = 2.0 * g[:, Q_SELL] / scale - 1.0
        a[:, P_BUY] = (g[:, P_BUY] / max(price_in, 1e-9) - 1.0) / self.price_span
        a[:, P_SELL] = (g[:, P_SELL] / max(price_out, 1e-9) - 1.0) / self.price_span
        return np.clip(a, -1.0, 1.0).reshape(GOAL_DIM).astype(np.float32)
