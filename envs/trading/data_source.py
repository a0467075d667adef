"""Where market episodes come from: synthetic generators or windows of a bars file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.market.bars import Bars, load_bars
from envs.market.generators import gbm_bars, regime_switching_bars

SOURCES = ("gbm", "regime", "csv")


@dataclass(frozen=True)
class DataSource:
    """``kind`` gbm | regime | csv. For csv (a bars file, CSV or Parquet: see
    :func:`envs.market.bars.load_bars` for ``columns`` and ``adjusted``), ``path`` and the bar
    range [start, stop) that episodes may use (a walk-forward split); episodes are random
    windows inside it."""

    kind: str = "regime"
    path: str | None = None
    start: int = 0
    stop: int | None = None
    sigma: float = 0.01
    columns: dict[str, str] | None = None
    adjusted: bool = False

    def __post_init__(self) -> None:
        if self.kind not in SOURCES:
            raise ValueError(f"data source kind must be one of {list(SOURCES)}, got {self.kind!r}")
        if self.kind == "csv" and not self.path:
            raise ValueError("data source kind 'csv' needs a path")

    def load(self) -> Bars | None:
        if self.kind != "csv":
            return None
        return load_bars(self.path, columns=self.columns, adjusted=self.adjusted)


def episode_arrays(
    source: DataSource, bars: Bars | None, n_markets: int, length: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log returns (B, T), volumes (B, T) and start prices (B,) for one episode of each market."""
    if source.kind == "csv":
        assert bars is not None
        stop = len(bars) if source.stop is None else source.stop
        if stop - source.start < length + 1:
            raise ValueError(
                f"bars [{source.start}, {stop}) hold fewer than {length + 1} bars for an episode"
            )
        starts = rng.integers(source.start, stop - length, size=n_markets)
        index = starts[:, None] + np.arange(length + 1)
        closes = bars.close[index]
        return np.diff(np.log(closes), axis=1), bars.volume[index[:, :-1]], closes[:, 0]
    returns, volumes = np.empty((n_markets, length)), np.empty((n_markets, length))
    for m, seed in enumerate(
        rng.integers(0, 2**31 - 1, size=n_markets)
    ):  # per market, at reset only
        if source.kind == "gbm":
            generated = gbm_bars(length + 1, sigma=source.sigma, seed=int(seed))
        else:
            generated, _ = regime_switching_bars(length + 1, seed=int(seed))
        returns[m] = np.diff(np.log(generated.close))
        volumes[m] = generated.volume[:-1]
    return returns, volumes, np.full(n_markets, 100.0)
