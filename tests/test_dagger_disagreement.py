"""The disagreement table of a DAgger collection: where the learner's answers, counters and
goals depart from its teacher's on the rounds the learner met."""

import json
import subprocess
import sys

import pytest

from experiments.collect.disagreement import disagreement, markdown
from experiments.collect.shards import Manifest, shard_name
from experiments.collect.world_task import collect_world
from tests.test_dagger import HEURISTIC, H, dagger_world, tiny_world

# A heuristic that plans 30% of its production and concedes at once.
HASTY = {
    "_target_": HEURISTIC,
    "params": {
        "production_target": 0.3,
        "concession_exponent": {"first": 0.2, "middle": 0.2, "last": 0.2},
    },
}


def middle_rows(root, learner):
    manifest = Manifest(root, {"test": "disagreement"})
    manifest.add(dagger_world(root, 0, 1, learner))
    manifest.save()
    return {r["side"]: r for r in disagreement(root)["rows"] if r["level"] == 1}


@pytest.fixture(scope="module")
def same(tmp_path_factory):
    return middle_rows(tmp_path_factory.mktemp("same"), HEURISTIC)


@pytest.fixture(scope="module")
def hasty(tmp_path_factory):
    return middle_rows(tmp_path_factory.mktemp("hasty"), HASTY)


def test_a_learner_that_is_its_teacher_departs_nowhere(same):
    assert set(same) == {"buy", "sell"}
    for row in same.values():
        answers = row["answers"]
        assert answers["n"] > 10 and answers["unmatched"] == 0
        assert answers["agreement"] == 1.0
        assert row["counters"]["n"] > 0
        assert row["counters"]["price_diff"] == 0.0 and row["counters"]["quantity_diff"] == 0.0
        assert row["goals"]["learner"] == row["goals"]["teacher"]


def test_a_learner_that_plans_less_and_concedes_shows_both(hasty):
    for row in hasty.values():
        goals = row["goals"]
        assert goals["learner"]["quantity"] < goals["teacher"]["quantity"]  # 30% of production
        assert row["answers"]["agreement"] < 1.0
        counts = row["answers"]["counts"]
        assert sum(map(sum, counts)) == row["answers"]["n"]
    # conceding: the buyer offers more than its teacher would, the seller asks less
    assert hasty["buy"]["counters"]["price_diff"] > 0
    assert hasty["sell"]["counters"]["price_diff"] < 0
    assert "| middle | sell |" in markdown({"rows": list(hasty.values())})


def test_the_command_writes_its_tables_into_the_dataset(tmp_path):
    manifest = Manifest(tmp_path, {"test": "disagreement"})
    manifest.add(dagger_world(tmp_path, 0, 0, HEURISTIC))
    manifest.save()
    command = [sys.executable, "-m", "experiments.collect.disagreement", f"dataset={tmp_path}"]
    printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    table = json.loads((tmp_path / "disagreement.json").read_text())
    assert [(r["level"], r["side"]) for r in table["rows"]] == [(0, "sell")]
    assert (tmp_path / "disagreement.md").read_text() == printed.strip() + "\n"
    assert "| first | sell |" in printed


def test_an_experts_own_play_or_a_plain_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no manifest.json"):
        disagreement(tmp_path)
    manifest = Manifest(tmp_path, {"test": "expert"})
    world = tiny_world(tmp_path / "worlds", learner_process=1)
    manifest.add(collect_world(world, "HeuristicStdAgent", 1, H, str(tmp_path / shard_name(0))))
    manifest.save()
    with pytest.raises(ValueError, match="no teacher labels"):
        disagreement(tmp_path)
