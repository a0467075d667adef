"""Negotiation threads as the shield sees them: the agenda's bounds, one row per thread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ThreadBounds:
    """Bounds of K open negotiation threads, each array of shape (K,).

    Deltas are delivery offsets from today, already limited to ``[0, H]`` by the caller.
    ``state_index`` says which state of a batched :class:`ShieldState` a thread belongs to
    (all zeros online, where the batch holds one state).
    """

    is_buy: np.ndarray
    min_delta: np.ndarray
    max_delta: np.ndarray
    q_max: np.ndarray
    p_min: np.ndarray
    p_max: np.ndarray
    state_index: np.ndarray

    @classmethod
    def build(
        cls,
        is_buy: list[bool] | np.ndarray,
        min_delta: list[int] | np.ndarray,
        max_delta: list[int] | np.ndarray,
        q_max: list[float] | np.ndarray,
        p_min: list[float] | np.ndarray,
        p_max: list[float] | np.ndarray,
        state_index: list[int] | np.ndarray | None = None,
    ) -> ThreadBounds:
        """Convert lists to arrays of the right dtypes."""
        n = len(is_buy)
        return cls(
            is_buy=np.asarray(is_buy, dtype=bool),
            min_delta=np.asarray(min_delta, dtype=np.int64),
            max_delta=np.asarray(max_delta, dtype=np.int64),
            q_max=np.asarray(q_max, dtype=np.float64),
            p_min=np.asarray(p_min, dtype=np.float64),
            p_max=np.asarray(p_max, dtype=np.float64),
            state_index=np.zeros(n, dtype=np.int64)
            if state_index is None
            else np.asarray(state_index, dtype=np.int64),
        )

    def __len__(self) -> int:
        return self.is_buy.shape[0]

    def select(self, rows: np.ndarray | slice) -> ThreadBounds:
        """A subset of the threads (same order as ``rows``)."""
        return ThreadBounds(
            is_buy=self.is_buy[rows],
            min_delta=self.min_delta[rows],
            max_delta=self.max_delta[rows],
            q_max=self.q_max[rows],
            p_min=self.p_min[rows],
            p_max=self.p_max[rows],
            state_index=self.state_index[rows],
        )
