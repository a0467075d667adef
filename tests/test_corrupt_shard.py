"""A dataset shard that cannot be read stops training and resumed collection with an error that
names the shard and what to do, not numpy's ``BadZipFile``."""

import json

import numpy as np
import pytest

from experiments.collect.shards import (
    FORMAT_VERSION,
    MANIFEST,
    CorruptShardError,
    Manifest,
    read_shard,
    shard_name,
)
from experiments.datasets.expert_data import ExpertData


def truncated_shard(root, index=0):
    path = root / shard_name(index)
    root.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, day_day=np.arange(100), event_day=np.arange(100))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a copy cut off halfway
    return path


def test_reading_a_truncated_shard_names_it(tmp_path):
    path = truncated_shard(tmp_path)
    with pytest.raises(CorruptShardError, match=f"dataset shard {path}.*delete it and rerun"):
        read_shard(path)


def test_training_data_refuses_a_truncated_shard_by_name(tmp_path):
    path = truncated_shard(tmp_path / "dataset")
    manifest = {"format_version": FORMAT_VERSION, "config": {}, "shards": {path.name: {}}}
    (path.parent / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CorruptShardError, match=path.name):
        ExpertData.load(path.parent)


def test_a_resumed_collection_refuses_a_truncated_shard_by_name(tmp_path):
    path = truncated_shard(tmp_path / "dataset", index=3)
    with pytest.raises(CorruptShardError, match=path.name):
        Manifest(path.parent, {"expert": "x"})
    assert not (path.parent / MANIFEST).exists()  # nothing half-written
