"""Walk-forward splits: train on earlier windows, evaluate on later ones, with a purge gap."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    """Index ranges [start, stop) into a series of bars."""

    train: tuple[int, int]
    test: tuple[int, int]


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
        splits.append(Split((start, train_end), (test_start, test_start + test_size)))
        start += step
    if not splits:
        raise ValueError(
            f"{n_bars} bars are too few for one split of {train_size} + {gap} + {test_size}"
        )
    return splits
