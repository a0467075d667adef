"""Weight-fused votes and the trading decision taken from them."""

from __future__ import annotations

import numpy as np

from envs.allocation.advisors import BUY, HOLD, SELL

POSITIONS = {BUY: 1.0, SELL: -1.0, HOLD: 0.0}


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fuse(votes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Fused vector (..., 4): the weight-averaged one-hot votes, each scaled by its confidence
    (columns 0-2), and the weighted mean confidence (column 3)."""
    scaled = votes[..., :3] * votes[..., 3:4]
    fused = np.empty(votes.shape[:-2] + (4,))
    fused[..., :3] = np.einsum("...k,...kc->...c", weights, scaled)
    fused[..., 3] = np.einsum("...k,...k->...", weights, votes[..., 3])
    return fused


def decide(fused: np.ndarray) -> np.ndarray:
    """Position from a fused vector (its first three entries: buy, sell, hold): +1 if buy
    strictly outweighs sell and hold, -1 if sell does, else 0 (ties hold)."""
    sides = fused[..., :3]
    top = sides.max(axis=-1, keepdims=True)
    unique = np.isclose(sides, top).sum(axis=-1) == 1
    choice = np.argmax(sides, axis=-1)
    return np.where(unique, np.select([choice == BUY, choice == SELL], [1.0, -1.0], 0.0), 0.0)


def position_reward(
    position: np.ndarray, previous: np.ndarray, next_return: np.ndarray, cost: float
) -> np.ndarray:
    """Return of holding ``position`` over the next bar, minus ``cost`` per unit of turnover."""
    return position * next_return - cost * np.abs(position - previous)
