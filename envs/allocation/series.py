"""What both allocation stages walk through: advisors' votes, next-bar returns, market state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.allocation.advisors import VOTE_SIZE, make_advisor
from envs.market.bars import Bars, load_bars
from envs.market.generators import gbm_bars, regime_switching_bars
from envs.market.indicators import indicators_batch
from envs.market.sample_data import SAMPLES, sample_bars


@dataclass(frozen=True)
class AllocationSeries:
    """T bars: ``votes`` (T, K, 4), ``next_return`` (T,) the log return from bar t to t+1 (what a
    position taken at bar t earns; 0 for the last bar), ``market`` (T, 8) causal indicators."""

    votes: np.ndarray
    next_return: np.ndarray
    market: np.ndarray
    advisor_names: tuple[str, ...]

    def __len__(self) -> int:
        return self.next_return.shape[0]

    def take(self, ranges: tuple[tuple[int, int], ...]) -> AllocationSeries:
        """The bars of several [start, stop) ranges, in order (e.g. a purged training set)."""
        rows = np.concatenate([np.arange(start, stop) for start, stop in ranges])
        return AllocationSeries(
            self.votes[rows], self.next_return[rows], self.market[rows], self.advisor_names
        )

    def slice(self, start: int, stop: int) -> AllocationSeries:
        return AllocationSeries(
            self.votes[start:stop],
            self.next_return[start:stop],
            self.market[start:stop],
            self.advisor_names,
        )


def market_bars(
    kind: str = "regime",
    path: str | None = None,
    n_bars: int = 2000,
    seed: int = 0,
    columns: dict[str, str] | None = None,
    adjusted: bool = False,
) -> Bars:
    """Bars from a file (``kind="csv"``: CSV or Parquet, ``columns``/``adjusted`` as in
    :func:`envs.market.bars.load_bars`), a shipped real series (``kind="goog"``) or a generator
    (``gbm``/``regime``)."""
    if kind in SAMPLES:
        return sample_bars(kind)
    if kind == "csv":
        if not path:
            raise ValueError("market kind 'csv' needs a path")
        return load_bars(path, columns=columns, adjusted=adjusted)
    if kind == "gbm":
        return gbm_bars(n_bars, sigma=0.01, seed=seed)
    if kind == "regime":
        return regime_switching_bars(n_bars, seed=seed)[0]
    raise ValueError(
        f"market kind must be csv, gbm, regime or one of {sorted(SAMPLES)}, got {kind!r}"
    )


def build_series(bars: Bars, advisors: list[str]) -> AllocationSeries:
    """Votes of every advisor on every bar, computed once."""
    if not advisors:
        raise ValueError("need at least one advisor")
    features = indicators_batch(bars.close)
    made = [make_advisor(spec) for spec in advisors]
    votes = np.stack([a.votes(bars, features) for a in made], axis=1)
    assert votes.shape[2] == VOTE_SIZE
    next_return = np.append(np.diff(np.log(bars.close)), 0.0)
    return AllocationSeries(votes, next_return, features, tuple(a.name for a in made))
