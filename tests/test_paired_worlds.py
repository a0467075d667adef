"""experiments.online.paired_worlds: two bundles in one factory of the same seeded worlds."""

from pathlib import Path

import pytest

from experiments.online.paired_worlds import paired_worlds

SHIPPED = str(Path(__file__).parents[1] / "policies/pretrained/dagger_heuristic/checkpoint")


def test_a_bundle_against_itself_is_level_in_every_world(small_world):
    """The same decisions in the same seeded worlds give the same scores: difference 0 with a
    zero-width interval, in one process or split over two."""
    # training mode: no wall-clock limits, so a world replays to the bit even on a busy machine
    world = {**small_world, "n_steps": 4, "opponents": ["GreedyStdAgent"], "mode": "training"}
    one = paired_worlds(SHIPPED, SHIPPED, world, [0, 2], [11, 12, 13], horizon=40)
    two = paired_worlds(SHIPPED, SHIPPED, world, [0, 2], [11, 12, 13], horizon=40, processes=2)
    assert set(one) == {"first", "last"}
    for position, row in one.items():
        assert row["worlds"] == 3
        assert row["a_minus_b"] == {"mean": 0.0, "low": 0.0, "high": 0.0}
        assert row["a"] == pytest.approx(two[position]["a"])
        assert row["a"] != 0.0


def test_a_folder_that_is_not_a_bundle_is_refused_by_name(tmp_path, small_world):
    with pytest.raises(ValueError, match="b=.*not a bundle"):
        paired_worlds(SHIPPED, str(tmp_path), small_world, [0], [1, 2], horizon=40)
