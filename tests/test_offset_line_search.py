"""experiments.online.offset_line_search: the start plus k times a run's offset move, paired."""

import pytest
import torch

from experiments.online.offset_line_search import offset_line_search
from policies.hrl.bundle import HRLBundle
from tests.online_cases import SHIPPED


@pytest.fixture
def tiny_world(small_world) -> dict:
    # training mode: no wall-clock limits, so the start and scale 0 replay to the bit
    return {**small_world, "n_steps": 4, "opponents": ["GreedyStdAgent"], "mode": "training"}


@pytest.fixture
def moved_first_level(tmp_path) -> str:
    """The shipped student with its first-level offsets moved (a run under
    stage.trainable=goal_offsets leaves such a bundle)."""
    bundle = HRLBundle.load(SHIPPED)
    with torch.no_grad():
        bundle.manager.goal_offset[0] = 1.5
    bundle.save(tmp_path / "moved")
    return str(tmp_path / "moved")


def test_scaled_bundles_are_the_start_moved_along_the_offset(
    tmp_path, tiny_world, moved_first_level
):
    """Scale 0 is the start to the bit (difference 0, zero-width interval); scale 1 plays the
    direction's offsets, which change the first level's score; only the moved level is played
    unless asked; each scale's bundle is written and loads."""
    out = tmp_path / "search"
    table = offset_line_search(
        SHIPPED, moved_first_level, [0.0, 1.0], tiny_world, [3, 4], horizon=40, out=out
    )
    assert set(table) == {"first"}
    row = table["first"]
    assert row["scales"]["0.0"]["minus_start"] == {"mean": 0.0, "low": 0.0, "high": 0.0}
    assert row["scales"]["0.0"]["mean"] == row["start"]
    assert row["scales"]["1.0"]["minus_start"]["mean"] != 0.0
    start = HRLBundle.load(SHIPPED).state_dict()
    for name, expected_first_row in (("scale_+0", 0.0), ("scale_+1", 1.5)):
        written = HRLBundle.load(out / name).state_dict()
        offset = written.pop("manager.goal_offset")
        assert torch.all(offset[0] == expected_first_row) and torch.all(offset[1:] == 0)
        assert all(torch.equal(value, start[key]) for key, value in written.items())


def test_a_direction_without_moved_offsets_is_refused_by_name(tmp_path, tiny_world):
    with pytest.raises(ValueError, match="direction= has the start's goal offsets"):
        offset_line_search(SHIPPED, SHIPPED, [1.0], tiny_world, [1, 2], horizon=40, out=tmp_path)
