"""Shared helpers for market-data tests."""

from envs.market.bars import Bars


def changed_from(bars: Bars, start: int, factor: float) -> Bars:
    """A copy of ``bars`` whose prices and volumes from bar ``start`` on are scaled by ``factor``:
    anything computed for earlier bars must not notice (the no-look-ahead tests)."""
    arrays = [a.copy() for a in (bars.open, bars.high, bars.low, bars.close, bars.volume)]
    for array in arrays:
        array[start:] *= factor
    return Bars(bars.timestamp, *arrays)
