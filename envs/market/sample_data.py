"""Real price series shipped with the package (see data/README.md for sources and licenses)."""

from __future__ import annotations

from pathlib import Path

from envs.market.bars import Bars, load_bars

DATA_DIR = Path(__file__).parent / "data"
SAMPLES = {"goog": "goog_daily_2004_2008.csv"}


def sample_path(name: str) -> Path:
    if name not in SAMPLES:
        raise ValueError(f"unknown sample series {name!r}; shipped: {sorted(SAMPLES)}")
    return DATA_DIR / SAMPLES[name]


def sample_bars(name: str) -> Bars:
    return load_bars(sample_path(name))
