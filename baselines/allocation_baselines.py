"""Reference policies for the allocation MDP: positions for every bar of a series."""

from __future__ import annotations

import numpy as np

from envs.allocation.fusion import decide, fuse
from envs.allocation.series import AllocationSeries
from envs.market.metrics import performance


def equal_weights(series: AllocationSeries) -> np.ndarray:
    k = series.votes.shape[1]
    return decide(fuse(series.votes, np.full((len(series), k), 1.0 / k)))


def majority_vote(series: AllocationSeries) -> np.ndarray:
    """The side most advisors vote for, ignoring confidence (ties hold)."""
    counts = series.votes[:, :, :3].sum(axis=1)
    top = counts.max(axis=1, keepdims=True)
    winners = counts == top
    unique = winners.sum(axis=1) == 1
    positions = np.select([winners[:, 0], winners[:, 1]], [1.0, -1.0], 0.0)
    return np.where(unique, positions, 0.0)


def single_advisor(series: AllocationSeries, index: int) -> np.ndarray:
    weights = np.zeros((len(series), series.votes.shape[1]))
    weights[:, index] = 1.0
    return decide(fuse(series.votes, weights))


def best_single_advisor(train: AllocationSeries, cost: float) -> int:
    """The advisor whose own positions earned most after costs on the training series."""
    scores = [
        performance(single_advisor(train, k), train.next_return, cost)["return_after_costs"]
        for k in range(train.votes.shape[1])
    ]
    return int(np.argmax(scores))


def buy_and_hold(series: AllocationSeries) -> np.ndarray:
    return np.ones(len(series))
