"""World builder and agent registry."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scml.std.agents import GreedyStdAgent, StdPlaceholder

from envs.scml.config import world_config
from envs.scml.opponents import KNOWN_AGENTS, resolve_agent
from envs.scml.world_builder import WorldConfig, build_world


def test_unknown_agent_name_lists_known_ones():
    with pytest.raises(ValueError, match="unknown agent 'Nope'.*PenguinAgent"):
        resolve_agent("Nope")


def test_bad_class_path_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot import agent 'scml.NoSuchAgent'"):
        resolve_agent("scml.NoSuchAgent")


@pytest.mark.parametrize(
    "name", ["PenguinAgent", "AS0", "XenoSotaAgent", "UltraSuperMiracleSoraFinalAgentZ"]
)
def test_past_winners_import(name):
    assert resolve_agent(name).__name__ == KNOWN_AGENTS[name].rsplit(".", 1)[1]


def test_class_path_and_class_are_accepted():
    assert resolve_agent("scml.std.agents.GreedyStdAgent") is GreedyStdAgent
    assert resolve_agent(GreedyStdAgent) is GreedyStdAgent


def test_placement_is_deterministic_and_logs_stay_in_log_dir(tmp_path):
    config = WorldConfig(
        n_steps=5,
        n_processes=3,
        agents_per_process=3,
        log_dir=str(tmp_path / "w"),
        opponents=["GreedyStdAgent", "SyncRandomStdAgent"],
    )
    world, learners = build_world(config, StdPlaceholder, seed=7)
    ids = [a for a in world.agents if a not in ("SELLER", "BUYER")]
    assert learners == ["03St@1"]
    assert ids == [
        "00Gr@0",
        "01SRS@0",
        "02Gr@0",
        "03St@1",
        "04SRS@1",
        "05Gr@1",
        "06SRS@2",
        "07Gr@2",
        "08SRS@2",
    ]
    assert (tmp_path / "w").is_dir()


def test_same_seed_same_world(tmp_path):
    config = WorldConfig(n_steps=5, agents_per_process=2, log_dir=str(tmp_path))
    a, _ = build_world(config, StdPlaceholder, seed=3)
    b, _ = build_world(config, StdPlaceholder, seed=3)
    assert a.catalog_prices.tolist() == b.catalog_prices.tolist()
    assert [p.cost for p in a.agent_profiles.values()] == [
        p.cost for p in b.agent_profiles.values()
    ]


@pytest.mark.parametrize(
    "options,message",
    [
        ({"n_steps": 2}, "n_steps must be >= 4"),
        ({"learner_process": 5}, "learner_process must be in"),
        ({"learner_processes": [0, 3]}, "learner_processes must be in"),
        ({"learner_processes": [1, 1]}, "distinct levels"),
        ({"n_learners": 9}, "n_learners must be in"),
        ({"opponents": []}, "at least one agent"),
        ({"colour": "red"}, "unknown world option"),
    ],
)
def test_bad_world_options_are_named(options, message):
    with pytest.raises(ValueError, match=message):
        world_config(options)


def test_learner_slots_on_several_levels(tmp_path):
    config = world_config(
        {
            "n_steps": 5,
            "agents_per_process": 2,
            "n_learners": 1,
            "learner_processes": [0, 2],
            "log_dir": str(tmp_path),
        }
    )
    world, learners = build_world(config, StdPlaceholder, seed=1)
    levels = sorted(world.agents[a].awi.my_input_product for a in learners)
    assert levels == [0, 2]  # one learner on the first and one on the last level


# Both worlds run in one fresh interpreter: a process that has run other tests' worlds can
# replay a seeded world differently (CI saw one such failure in 414 tests, never reproduced
# alone), which is not what this test is about.
_PLAY_BOTH = """
import json, sys
from scml.std.agents import GreedyStdAgent
from envs.scml.world_builder import WorldConfig, build_world
out = {}
for keep_records in (True, False):
    config = WorldConfig(n_steps=8, opponents=["GreedyStdAgent"], log_dir=sys.argv[1], mode="training")
    world, _ = build_world(config, GreedyStdAgent, seed=4)
    assert world.save_negotiations is False, "training mode keeps negotiation records"
    world.save_negotiations = keep_records
    world.run()
    out[str(keep_records)] = {"scores": world.scores(), "records": len(world.saved_negotiations)}
print(json.dumps(out))
"""


def test_training_mode_plays_the_same_world_without_negotiation_records(tmp_path):
    """The records are off in training mode and leaving them out changes no score. (The
    reference is a training-mode world with records switched back on: default mode has
    wall-clock limits, so under load it need not replay the same way.)"""
    done = subprocess.run(
        [sys.executable, "-c", _PLAY_BOTH, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    assert runs["False"]["scores"] == runs["True"]["scores"]
    assert runs["True"]["records"] > 0 and runs["False"]["records"] == 0
    # leave negmas's process-wide thread switch as scml sets it for the tests after this one
    build_world(WorldConfig(n_steps=5, log_dir=str(tmp_path)), GreedyStdAgent, seed=0)
