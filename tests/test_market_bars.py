"""Market bars: CSV validation, as-of alignment without look-ahead, walk-forward splits."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envs.market.bars import asof_align, load_bars_csv
from envs.market.generators import gbm_bars
from envs.market.splits import walk_forward_splits


def write_bars(path, n=5, **overrides):
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="5min").astype(str),
            "open": np.linspace(100, 104, n),
            "high": np.linspace(101, 105, n),
            "low": np.linspace(99, 103, n),
            "close": np.linspace(100.5, 104.5, n),
            "volume": np.full(n, 10.0),
            "funding": np.arange(n, dtype=float),
        }
    )
    for column, (row, value) in overrides.items():
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    frame.to_csv(path, index=False)
    return path


def test_valid_file_loads_with_its_feature_columns(tmp_path):
    bars = load_bars_csv(write_bars(tmp_path / "b.csv"), feature_columns=["funding"])
    assert len(bars) == 5 and np.all(np.diff(bars.timestamp) > 0)
    np.testing.assert_array_equal(bars.features["funding"], np.arange(5))


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"close": (2, "")}, "column 'close' has a missing or non-numeric value at row 2"),
        ({"volume": (3, 0.0)}, "column 'volume' must be positive; row 3"),
        ({"open": (1, -5.0)}, "non-positive price at row 1"),
        ({"timestamp": (3, "2024-01-01 00:05:00")}, "out-of-order timestamp at row 3"),
        ({"timestamp": (2, "2024-01-01 00:05:00")}, "duplicate timestamp at row 2"),
        ({"high": (0, 50.0)}, "high/low do not contain open/close at row 0"),
    ],
)
def test_malformed_files_are_named_errors(tmp_path, overrides, message):
    with pytest.raises(ValueError, match=message):
        load_bars_csv(write_bars(tmp_path / "b.csv", **overrides))


def test_missing_columns_and_files_are_named(tmp_path):
    pd.DataFrame({"timestamp": [1], "close": [1.0]}).to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(ValueError, match="missing column"):
        load_bars_csv(tmp_path / "x.csv")
    with pytest.raises(ValueError, match="does not exist"):
        load_bars_csv(tmp_path / "nope.csv")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=40, unique=True), st.data())
def test_asof_alignment_never_uses_a_later_value(source_times, data):
    source_times = np.sort(np.array(source_times))
    values = source_times.astype(float) * 10.0  # each value encodes its own timestamp
    bar_times = np.sort(
        np.array(data.draw(st.lists(st.integers(0, 1000), min_size=1, max_size=40, unique=True)))
    )
    aligned = asof_align(bar_times, source_times, values)
    known = ~np.isnan(aligned)
    assert np.all(aligned[known] / 10.0 <= bar_times[known])  # never from the future
    # ... and it is the latest value not from the future.
    for t, v in zip(bar_times[known], aligned[known], strict=True):
        assert v / 10.0 == source_times[source_times <= t].max()
    assert np.all(~known == (bar_times < source_times.min()))


def test_features_attached_to_bars_are_as_of():
    bars = gbm_bars(10)
    enriched = bars.with_features(np.array([2, 5]), {"macro": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(enriched.features["macro"][:7], [np.nan, np.nan, 1, 1, 1, 2, 2])


def test_walk_forward_splits_move_forward_without_overlap():
    splits = walk_forward_splits(100, train_size=40, test_size=10, gap=5)
    assert [s.test for s in splits] == [(45, 55), (55, 65), (65, 75), (75, 85), (85, 95)]
    for s in splits:
        assert s.train[1] + 5 == s.test[0] and s.train[1] - s.train[0] == 40
    with pytest.raises(ValueError, match="too few"):
        walk_forward_splits(20, train_size=40, test_size=10)
