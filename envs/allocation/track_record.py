"""Each advisor's recent track record: how often its calls came true over the last bars.

An advisor's call at bar tau is its vote direction (buy +1, sell -1, hold 0); it came true if the
tau -> tau+1 return had that sign. The record at bar t averages direction x sign(return) over
bars t - window .. t - 1, all of whose returns are known at the close of bar t, so the feature is
causal. An advisor right a fraction p of the time (always voting) shows 2p - 1 on average; the
feature is scaled by TRACK_SCALE so a 55% advisor shows about 1 and a coin flip about 0.
"""

from __future__ import annotations

import numpy as np

from envs.allocation.series import AllocationSeries

TRACK_SCALE = 10.0


def track_record(series: AllocationSeries, window: int) -> np.ndarray:
    """(T, K): each advisor's scaled mean of direction x sign(next return) over the ``window``
    bars before bar t (fewer at the start of the series; 0 at bar 0)."""
    if window < 1:
        raise ValueError(f"track record window must be >= 1, got {window}")
    direction = series.votes[:, :, 0] - series.votes[:, :, 1]  # buy minus sell, per advisor
    hits = direction * np.sign(series.next_return)[:, None]  # (T, K): +1 right, -1 wrong
    cumulative = np.vstack([np.zeros((1, hits.shape[1])), np.cumsum(hits, axis=0)])
    t = np.arange(len(series))
    first = np.maximum(t - window, 0)
    counts = np.maximum(t - first, 1)[:, None]
    return TRACK_SCALE * (cumulative[t] - cumulative[first]) / counts
