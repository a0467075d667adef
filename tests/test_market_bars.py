"""Market bars: CSV validation, as-of alignment without look-ahead, walk-forward splits."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envs.market.bars import asof_align, load_bars
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
    bars = load_bars(write_bars(tmp_path / "b.csv"), feature_columns=["funding"])
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
        load_bars(write_bars(tmp_path / "b.csv", **overrides))


def test_missing_columns_and_files_are_named(tmp_path):
    pd.DataFrame({"timestamp": [1], "close": [1.0]}).to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(ValueError, match="missing column"):
        load_bars(tmp_path / "x.csv")
    with pytest.raises(ValueError, match="does not exist"):
        load_bars(tmp_path / "nope.csv")


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


def yahoo_frame(n=6, tz=None):
    """Daily bars in the most common download layout."""
    dates = pd.date_range("2024-01-02", periods=n, freq="D", tz=tz)
    close = np.linspace(100.0, 105.0, n)
    return pd.DataFrame(
        {
            "Date": dates,
            "Open": close - 0.5,
            "High": close + 1.0,
            "Low": close - 1.0,
            "Close": close,
            "Adj Close": close / 2.0,
            "Volume": np.full(n, 1000.0),
        }
    )


def test_common_layouts_load_from_csv_and_parquet(tmp_path):
    from envs.market.bars import load_bars

    frame = yahoo_frame()
    frame.to_csv(tmp_path / "daily.csv", index=False)
    frame.to_parquet(tmp_path / "daily.parquet", index=False)
    from_csv, from_parquet = (
        load_bars(tmp_path / "daily.csv"),
        load_bars(tmp_path / "daily.parquet"),
    )
    np.testing.assert_array_equal(from_csv.timestamp, from_parquet.timestamp)
    np.testing.assert_allclose(from_csv.close, frame["Close"])
    adjusted = load_bars(tmp_path / "daily.csv", adjusted=True)
    np.testing.assert_allclose(adjusted.close, frame["Adj Close"])
    np.testing.assert_allclose(adjusted.open, (frame["Close"] - 0.5) / 2.0)


def test_timezones_and_intraday_and_a_columns_mapping(tmp_path):
    from envs.market.bars import load_bars

    aware = yahoo_frame(tz="America/New_York").rename(columns={"Date": "Datetime"})
    aware.to_csv(tmp_path / "aware.csv", index=False)
    bars = load_bars(tmp_path / "aware.csv")
    # 2024-01-02 00:00 in New York is 05:00 UTC.
    assert pd.Timestamp(bars.timestamp[0], tz="UTC") == pd.Timestamp("2024-01-02 05:00", tz="UTC")
    minutes = yahoo_frame(n=5).assign(Date=pd.date_range("2024-01-02 09:30", periods=5, freq="min"))
    odd = minutes.drop(columns="Adj Close").rename(
        columns={"Date": "when", "Close": "px_last", "Volume": "qty"}
    )
    odd.to_csv(tmp_path / "odd.csv", index=False)
    bars = load_bars(
        tmp_path / "odd.csv", columns={"timestamp": "when", "close": "px_last", "volume": "qty"}
    )
    assert np.all(np.diff(bars.timestamp) == 60 * 10**9)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['timestamp', 'close', 'volume'\]"):
        load_bars(tmp_path / "odd.csv")
    with pytest.raises(ValueError, match="columns mapping points at \\['nope'\\]"):
        load_bars(tmp_path / "odd.csv", columns={"timestamp": "nope"})
    with pytest.raises(ValueError, match="adjusted close column"):
        load_bars(
            tmp_path / "odd.csv",
            columns={"timestamp": "when", "close": "px_last", "volume": "qty"},
            adjusted=True,
        )


def test_purged_kfold_purges_before_and_embargoes_after_each_test_fold():
    from envs.market.splits import make_splits, purged_kfold_splits

    splits = purged_kfold_splits(100, k=4, purge=5, embargo=3)
    assert [s.test for s in splits] == [(0, 25), (25, 50), (50, 75), (75, 100)]
    assert splits[0].train_ranges == ((28, 100),)
    assert splits[1].train_ranges == ((0, 20), (53, 100))
    assert splits[3].train_ranges == ((0, 70),)
    for split in splits:  # no training bar within purge before / embargo after its test fold
        lo, hi = split.test
        for start, stop in split.train_ranges:
            assert stop <= lo - 5 or start >= hi + 3
    with pytest.raises(ValueError, match="use train_ranges"):
        _ = splits[1].train
    assert make_splits(100, "walk_forward", 40, 10, 5)[0].train == (0, 40)
    with pytest.raises(ValueError, match="splits.method must be one of"):
        make_splits(100, "kfold")
