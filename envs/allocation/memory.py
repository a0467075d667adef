"""Retrieval memory: for each bar, the k most similar earlier states and what came of them.

State = the advisors' votes and the market indicators of a bar. Candidates for bar t are only
bars tau <= t - 1, whose outcome (the tau -> tau+1 return, known at the close of bar tau+1 <= t)
is already known at t. Features per bar (K + 2): the mean over the neighbours of each advisor's
realized payoff then (its vote direction x the return that followed), the neighbours' mean
return, and their mean distance. Bars with no earlier bar get zeros.
"""

from __future__ import annotations

import numpy as np

from envs.allocation.series import AllocationSeries

BLOCK = 512  # rows of the distance matrix computed at once (bounded memory)


def state_vectors(series: AllocationSeries) -> np.ndarray:
    return np.concatenate([series.votes.reshape(len(series), -1), series.market], axis=1)


def retrieval_features(series: AllocationSeries, k: int) -> np.ndarray:
    """(T, K + 2) memory features; see the module docstring."""
    if k < 1:
        raise ValueError(f"memory k must be >= 1, got {k}")
    states = np.nan_to_num(state_vectors(series))
    n_bars, n_advisors = len(series), series.votes.shape[1]
    direction = series.votes[:, :, 0] - series.votes[:, :, 1]  # buy minus sell, per advisor
    payoff = direction * series.next_return[:, None]  # (T, K): what each advisor's call earned
    squared = np.sum(states**2, axis=1)
    out = np.zeros((n_bars, n_advisors + 2))
    for lo in range(1, n_bars, BLOCK):
        hi = min(lo + BLOCK, n_bars)
        distance = squared[lo:hi, None] + squared[None, :hi] - 2.0 * states[lo:hi] @ states[:hi].T
        later = np.arange(hi)[None, :] >= np.arange(lo, hi)[:, None]  # tau >= t: not yet known
        distance = np.where(later, np.inf, np.maximum(distance, 0.0))
        take = min(k, hi - 1)
        nearest = np.argpartition(distance, take - 1, axis=1)[:, :take]
        near_distance = np.take_along_axis(distance, nearest, axis=1)
        known = np.isfinite(near_distance)  # rows with fewer than k earlier bars
        weights = known / np.maximum(known.sum(axis=1, keepdims=True), 1)  # mean over known
        out[lo:hi, :n_advisors] = np.einsum("rn,rna->ra", weights, payoff[nearest])
        out[lo:hi, n_advisors] = np.sum(weights * series.next_return[nearest], axis=1)
        out[lo:hi, n_advisors + 1] = np.sum(
            weights * np.sqrt(np.where(known, near_distance, 0.0)), axis=1
        )
    return out
