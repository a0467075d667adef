"""OHLCV bars: loading with validation, and as-of alignment of extra feature columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

PRICE_COLUMNS = ("open", "high", "low", "close")
REQUIRED_COLUMNS = ("timestamp", *PRICE_COLUMNS, "volume")


@dataclass(frozen=True)
class Bars:
    """T bars in time order. ``timestamp`` is int64 (nanoseconds since the epoch, or any
    increasing integer clock); prices and volume are float64 arrays of shape (T,).
    ``features`` holds extra columns already aligned to the bars (NaN where not yet known)."""

    timestamp: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    features: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.close.shape[0]

    def slice(self, start: int, stop: int) -> Bars:
        """Bars [start, stop), features included."""
        return Bars(
            self.timestamp[start:stop],
            self.open[start:stop],
            self.high[start:stop],
            self.low[start:stop],
            self.close[start:stop],
            self.volume[start:stop],
            {k: v[start:stop] for k, v in self.features.items()},
        )

    def with_features(self, timestamps: np.ndarray, columns: dict[str, np.ndarray]) -> Bars:
        """Add feature series sampled at ``timestamps``, aligned as of each bar (no look-ahead)."""
        aligned = {
            name: asof_align(self.timestamp, timestamps, values) for name, values in columns.items()
        }
        return Bars(
            self.timestamp,
            self.open,
            self.high,
            self.low,
            self.close,
            self.volume,
            {**self.features, **aligned},
        )


def asof_align(bar_times: np.ndarray, source_times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each bar, the latest source value stamped at or before the bar's time; NaN if none.

    A value stamped after a bar can never appear in that bar's row.
    """
    source_times = np.asarray(source_times)
    if source_times.size and np.any(np.diff(source_times) <= 0):
        raise ValueError("feature timestamps must be strictly increasing")
    index = np.searchsorted(source_times, bar_times, side="right") - 1
    out = np.full(len(bar_times), np.nan)
    known = index >= 0
    out[known] = np.asarray(values, dtype=np.float64)[index[known]]
    return out


# Names users' files give the columns (compared lower-case, spaces/dashes as underscores).
ALIASES = {
    "timestamp": ("timestamp", "date", "datetime", "time", "date_time", "ts"),
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c", "last", "price"),
    "volume": ("volume", "vol", "v"),
    "adj_close": ("adj_close", "adjclose", "adjusted_close", "close_adj"),
}


def _key(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def standard_columns(
    frame: pd.DataFrame, path: Path, columns: dict[str, str] | None
) -> pd.DataFrame:
    """The frame with our column names: ``columns`` maps ours to the file's (anything else is
    found by :data:`ALIASES`, in any case). A timestamp held in the index (Parquet) counts."""
    if frame.index.name is not None and _key(frame.index.name) in ALIASES["timestamp"]:
        frame = frame.reset_index()
    explicit = dict(columns or {})
    unknown = sorted(set(explicit) - set(ALIASES))
    if unknown:
        raise ValueError(
            f"{path}: columns mapping names unknown field(s) {unknown}; known {sorted(ALIASES)}"
        )
    absent = sorted(theirs for theirs in explicit.values() if theirs not in frame.columns)
    if absent:
        raise ValueError(
            f"{path}: columns mapping points at {absent}, not in the file's {list(frame.columns)}"
        )
    rename = {theirs: ours for ours, theirs in explicit.items()}
    for column in frame.columns:
        if column in rename:
            continue
        for ours, names in ALIASES.items():
            if ours not in explicit and ours not in rename.values() and _key(column) in names:
                rename[column] = ours
                break
    return frame.rename(columns=rename)


def parse_timestamps(column: pd.Series, path: Path) -> np.ndarray:
    """Nanoseconds since the epoch (UTC; naive times are taken as UTC), or integers as they are.
    Strings in one format parse fast; a column mixing formats is parsed value by value."""
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=np.int64)
    try:
        try:
            parsed = pd.to_datetime(column, utc=True)
        except ValueError:
            parsed = pd.to_datetime(column, utc=True, format="mixed")
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{path}: column 'timestamp' has values that are not times: {error}"
        ) from error
    return parsed.dt.as_unit("ns").astype("int64").to_numpy()  # pandas may parse to us


def validate_bars(frame: pd.DataFrame, path: Path) -> None:
    """Raise a ValueError naming the file, column and first bad row of anything malformed."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {missing} (found {list(frame.columns)}); name them in "
            f"`columns`, e.g. {{'timestamp': 'Date'}}"
        )
    if frame.empty:
        raise ValueError(f"{path}: no bars")
    for column in (*PRICE_COLUMNS, "volume"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values)
        if bad.any():
            raise ValueError(
                f"{path}: column {column!r} has a missing or non-numeric value at row {int(np.flatnonzero(bad)[0])}"
            )
        if column != "volume" and (values <= 0).any():
            raise ValueError(
                f"{path}: column {column!r} has a non-positive price at row {int(np.flatnonzero(values <= 0)[0])}"
            )
    volume = frame["volume"].astype(float)
    if (volume <= 0).any():
        raise ValueError(
            f"{path}: column 'volume' must be positive; row {int(np.flatnonzero(volume <= 0)[0])} is {volume[volume <= 0].iloc[0]}"
        )
    high, low = frame["high"].astype(float), frame["low"].astype(float)
    body_high = frame[["open", "close"]].astype(float).max(axis=1)
    body_low = frame[["open", "close"]].astype(float).min(axis=1)
    inconsistent = (high < body_high) | (low > body_low)
    if inconsistent.any():
        raise ValueError(
            f"{path}: high/low do not contain open/close at row {int(np.flatnonzero(inconsistent)[0])}"
        )


def load_bars(
    path: str | Path,
    feature_columns: list[str] | None = None,
    columns: dict[str, str] | None = None,
    adjusted: bool = False,
) -> Bars:
    """Read and validate OHLCV bars from a CSV or Parquet file (``.parquet``/``.pq``).

    Column names are found in any case (``Date``/``Datetime``/``timestamp``, ``Open``, ...,
    ``Adj Close``); ``columns`` maps our names (timestamp, open, high, low, close, volume,
    adj_close) to the file's for anything else. Timestamps may be integers, naive times (taken
    as UTC) or timezone-aware times, daily or intraday, and must be strictly increasing; prices
    finite and positive; volumes positive. ``adjusted``: use the adjusted close and scale open,
    high and low by the same factor. ``feature_columns`` are extra numeric columns of the same
    file; they belong to their bar (known at its close), so they need no further alignment.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"bars file {path} does not exist")
    parquet = path.suffix.lower() in (".parquet", ".pq")
    try:
        frame = pd.read_parquet(path) if parquet else pd.read_csv(path)
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise ValueError(
            f"{path}: not a readable {'Parquet' if parquet else 'CSV'} file: {error}"
        ) from error
    frame = standard_columns(frame, path, columns)
    if adjusted:
        if "adj_close" not in frame.columns:
            raise ValueError(
                f"{path}: adjusted=True needs an adjusted close column (e.g. 'Adj Close')"
            )
        factor = pd.to_numeric(frame["adj_close"], errors="coerce") / pd.to_numeric(
            frame["close"], errors="coerce"
        )
        for column in ("open", "high", "low"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce") * factor
        frame["close"] = frame["adj_close"]
    validate_bars(frame, path)
    stamps = parse_timestamps(frame["timestamp"], path)
    steps = np.diff(stamps)
    if np.any(steps <= 0):
        row = int(np.flatnonzero(steps <= 0)[0]) + 1
        kind = "duplicate" if steps[row - 1] == 0 else "out-of-order"
        raise ValueError(
            f"{path}: timestamps must be sorted and unique; {kind} timestamp at row {row}"
        )
    features = {}
    for column in feature_columns or []:
        if column not in frame.columns:
            raise ValueError(f"{path}: feature column {column!r} not found")
        features[column] = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    return Bars(
        stamps, *(frame[c].to_numpy(dtype=np.float64) for c in (*PRICE_COLUMNS, "volume")), features
    )
