"""Evaluation splits of a bar series: walk-forward, and purged k-fold with embargo.

Walk-forward trains on earlier windows and tests on later ones. Purged k-fold (for model
selection across the whole history) cuts the series into k contiguous test folds and trains on
everything else, minus the ``purge`` bars before each test fold (labels that would reach into
it) and the ``embargo`` bars after it (serial correlation leaking back): a training set is then
up to two ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

SPLIT_METHODS = ("walk_forward", "purged_kfold")


@dataclass(frozen=True)
class Split:
    """Index ranges [start, stop) into a series of bars: one or more training ranges, one test."""

    train_ranges: tuple[tuple[int, int], ...]
    test: tuple[int, int]

    @property
    def train(self) -> tuple[int, int]:
        """The training range of a split that has one (walk-forward)."""
        if len(self.train_ranges) != 1:
            raise ValueError(
                f"this split trains on {len(self.train_ranges)} ranges: use train_ranges"
            )
        return self.train_ranges[0]


def walk_forward_splits(
    n_bars: int, train_size: int, test_size: int, gap: int = 0, step: int | None = None
) -> list[Split]:
    """Consecutive (train, test) windows. The test window starts ``gap`` bars after the train
    window ends (purging labels that would overlap), windows never overlap their own test, and
    each split moves forward by ``step`` bars (default: ``test_size``)."""
    if min(train_size, test_size) < 1 or gap < 0:
        raise ValueError(
            f"need train_size, test_size >= 1 and gap >= 0; got {train_size}, {test_size}, {gap}"
        )
    step = test_size if step is None else step
    if step < 1:
        raise ValueError(f"step must be >= 1, got {step}")
    splits = []
    start = 0
    while start + train_size + gap + test_size <= n_bars:
        train_end = start + train_size
        test_start = train_end + gap
        splits.append(Split(((start, train_end),), (test_start, test_start + test_size)))
        start += step
    if not splits:
        raise ValueError(
            f"{n_bars} bars are too few for one split of {train_size} + {gap} + {test_size}"
        )
    return splits


def purged_kfold_splits(n_bars: int, k: int, purge: int = 0, embargo: int = 0) -> list[Split]:
    """k contiguous test folds; each trains on the rest minus ``purge`` bars before its fold and
    ``embargo`` bars after it (empty ranges dropped)."""
    if k < 2 or purge < 0 or embargo < 0:
        raise ValueError(f"need k >= 2, purge >= 0, embargo >= 0; got {k}, {purge}, {embargo}")
    if n_bars < k:
        raise ValueError(f"{n_bars} bars are too few for {k} folds")
    edges = [round(i * n_bars / k) for i in range(k + 1)]
    splits = []
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        before = (0, max(0, start - purge))
        after = (min(n_bars, stop + embargo), n_bars)
        ranges = tuple(r for r in (before, after) if r[1] > r[0])
        if not ranges:
            raise ValueError(
                f"fold [{start}, {stop}) leaves no training bars (purge/embargo too large)"
            )
        splits.append(Split(ranges, (start, stop)))
    return splits


def make_splits(
    n_bars: int,
    method: str = "walk_forward",
    train_size: int = 1000,
    test_size: int = 500,
    gap: int = 0,
    k: int = 5,
    embargo: int = 0,
) -> list[Split]:
    """Splits by config: walk-forward (train_size, test_size, gap) or purged k-fold (k folds,
    ``gap`` bars purged before each test fold, ``embargo`` after it)."""
    if method == "walk_forward":
        return walk_forward_splits(n_bars, train_size, test_size, gap)
    if method == "purged_kfold":
        return purged_kfold_splits(n_bars, k, gap, embargo)
    raise ValueError(f"splits.method must be one of {list(SPLIT_METHODS)}, got {method!r}")
