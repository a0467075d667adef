"""Advisors: each turns bars into one vote per bar, using only bars up to that one.

A vote is one-hot (buy, sell, hold) plus a confidence in [0, 1]: an array of shape (T, 4).
Built-in advisors are rules on the causal indicators of envs.market; ``ReplayAdvisor`` reads
recorded votes (for example from LLM agents) from a CSV and aligns them as of each bar.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from envs.market.bars import Bars, asof_align, parse_timestamps
from envs.market.indicators import FEATURE_NAMES, indicators_batch

BUY, SELL, HOLD = 0, 1, 2
VOTE_SIZE = 4
_F = {name: i for i, name in enumerate(FEATURE_NAMES)}


def votes_from_signal(signal: np.ndarray, dead_zone: float) -> np.ndarray:
    """Votes (T, 4) from a signed signal: buy above the dead zone, sell below, else hold;
    confidence grows with |signal| beyond the dead zone (tanh, in [0, 1])."""
    signal = np.nan_to_num(np.asarray(signal, dtype=np.float64))
    votes = np.zeros((signal.shape[0], VOTE_SIZE))
    choice = np.where(signal > dead_zone, BUY, np.where(signal < -dead_zone, SELL, HOLD))
    votes[np.arange(len(choice)), choice] = 1.0
    votes[:, 3] = np.tanh(np.maximum(0.0, np.abs(signal) - dead_zone) / max(dead_zone, 1e-12))
    return votes


def _momentum(features: np.ndarray) -> np.ndarray:
    return votes_from_signal(
        features[:, _F["sma_short_gap"]] + features[:, _F["sma_long_gap"]], 0.002
    )


def _mean_reversion(features: np.ndarray) -> np.ndarray:
    return votes_from_signal(-features[:, _F["sma_long_gap"]], 0.01)


def _macd(features: np.ndarray) -> np.ndarray:
    return votes_from_signal(features[:, _F["macd_hist"]], 0.0002)


def _rsi(features: np.ndarray) -> np.ndarray:
    return votes_from_signal(0.5 - features[:, _F["rsi"]], 0.15)


def _breakout(features: np.ndarray) -> np.ndarray:
    volatility = np.maximum(features[:, _F["volatility"]], 1e-6)
    return votes_from_signal(features[:, _F["log_return"]] / volatility, 1.5)


RULE_ADVISORS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "momentum": _momentum,
    "mean_reversion": _mean_reversion,
    "macd": _macd,
    "rsi": _rsi,
    "volatility_breakout": _breakout,
}


class RuleAdvisor:
    """A built-in advisor by name (see ``RULE_ADVISORS``)."""

    def __init__(self, name: str) -> None:
        if name not in RULE_ADVISORS:
            raise ValueError(
                f"unknown advisor {name!r}; known: {sorted(RULE_ADVISORS)} or 'replay:<csv path>'"
            )
        self.name = name

    def votes(self, bars: Bars, features: np.ndarray | None = None) -> np.ndarray:
        return RULE_ADVISORS[self.name](
            indicators_batch(bars.close) if features is None else features
        )


class ReplayAdvisor:
    """Votes recorded in a CSV with columns ``timestamp``, ``vote`` (buy/sell/hold) and
    ``confidence`` (0..1). Each bar gets the latest vote stamped at or before it (hold with
    confidence 0 before the first)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"replay:{self.path.name}"
        if not self.path.is_file():
            raise ValueError(f"votes file {self.path} does not exist")
        frame = pd.read_csv(self.path)
        missing = [c for c in ("timestamp", "vote", "confidence") if c not in frame.columns]
        if missing:
            raise ValueError(
                f"{self.path}: missing column(s) {missing}; need timestamp, vote, confidence"
            )
        kinds = frame["vote"].astype(str).str.lower().map({"buy": BUY, "sell": SELL, "hold": HOLD})
        if kinds.isna().any():
            row = int(np.flatnonzero(kinds.isna())[0])
            raise ValueError(
                f"{self.path}: vote must be buy, sell or hold; row {row} is {frame['vote'].iloc[row]!r}"
            )
        confidence = pd.to_numeric(frame["confidence"], errors="coerce")
        bad = confidence.isna() | (confidence < 0) | (confidence > 1)
        if bad.any():
            raise ValueError(
                f"{self.path}: confidence must be a number in [0, 1]; row {int(np.flatnonzero(bad)[0])}"
            )
        # The same clock as the bars' (nanoseconds, UTC), or the alignment would be off.
        self.timestamps = parse_timestamps(frame["timestamp"], self.path)
        if np.any(np.diff(self.timestamps) <= 0):
            raise ValueError(f"{self.path}: timestamps must be sorted and unique")
        self.kinds = kinds.to_numpy(dtype=np.int64)
        self.confidence = confidence.to_numpy(dtype=np.float64)

    def votes(self, bars: Bars, features: np.ndarray | None = None) -> np.ndarray:
        kind = asof_align(bars.timestamp, self.timestamps, self.kinds)
        confidence = asof_align(bars.timestamp, self.timestamps, self.confidence)
        known = ~np.isnan(kind)
        votes = np.zeros((len(bars), VOTE_SIZE))
        votes[~known, HOLD] = 1.0
        votes[np.flatnonzero(known), kind[known].astype(np.int64)] = 1.0
        votes[:, 3] = np.where(known, confidence, 0.0)
        return votes


def make_advisor(spec: str) -> RuleAdvisor | ReplayAdvisor:
    """``"momentum"`` etc., or ``"replay:<path to csv>"``."""
    return ReplayAdvisor(spec.split(":", 1)[1]) if spec.startswith("replay:") else RuleAdvisor(spec)
