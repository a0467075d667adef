"""The heuristic alone as an export (no checkpoint): it loads, packages and plays exactly as
HeuristicStdAgent in the same seeded world; bad names and parameters are refused."""

import json

import pytest

from baselines.heuristic.agent import HeuristicStdAgent
from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from experiments.export import export_heuristic, load_agent_class
from policies.hrl.exported import read_export


def world_score(agent_class, tmp_path, level: int) -> float:
    config = WorldConfig(
        n_steps=8,
        agents_per_process=2,
        learner_process=level,
        opponents=["GreedyStdAgent", "SyncRandomStdAgent"],
        log_dir=str(tmp_path / "worlds"),
        mode="training",
    )
    session = WorldSession(config, agent_class, seed=5, horizon=40)
    while not session.done:
        session.step_day()
    return session.scores()[session.learner_ids[0]]


@pytest.mark.parametrize("level", [0, 1, 2])
def test_the_exported_heuristic_plays_as_the_heuristic_agent(tmp_path, level):
    # The same class name: negmas derives agent ids from it, and ids order its string sets.
    exported = export_heuristic(tmp_path / "agent", "HeuristicStdAgent")
    meta = read_export(exported)
    assert meta["kind"] == "heuristic" and meta["checkpoint"] is None
    assert not (exported / meta["package"] / "weights.pt").exists()
    agent_class = load_agent_class(exported)
    assert world_score(agent_class, tmp_path, level) == world_score(
        HeuristicStdAgent, tmp_path, level
    )


def test_its_parameters_are_recorded_and_name_the_package(tmp_path):
    tuned = export_heuristic(tmp_path / "tuned", "HRLXFTunedHeuristic", {"price_slack": 0.2})
    plain = export_heuristic(tmp_path / "plain", "HRLXFTunedHeuristic")
    assert (
        json.loads((tuned / "export.json").read_text())["heuristic_params"]["price_slack"]["last"]
        == 0.2
    )
    assert read_export(tuned)["package"] != read_export(plain)["package"]
    assert load_agent_class(tuned)().executor.params.price_slack.at("first") == 0.2


def test_bad_names_and_parameters_are_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(ValueError, match="identifier"):
        export_heuristic(tmp_path / "a", "not a name")
    with pytest.raises(ValueError, match="price_slak"):
        export_heuristic(tmp_path / "b", "HRLXFBad", {"price_slak": 0.2})
    assert not list(tmp_path.iterdir())


def test_it_packages_as_a_submission(tmp_path):
    import zipfile

    from experiments.export.package import package_export

    exported = export_heuristic(tmp_path / "agent", "HRLXFHeuristicZip")
    archive = package_export(exported, tmp_path / "agent.zip")
    with zipfile.ZipFile(archive) as z:
        readme = z.read("README.md").decode()
        names = z.namelist()
    assert "export.json" in names and "heuristic executor decides" in readme
    assert not any(name.endswith("weights.pt") for name in names)


def test_the_export_command_exports_the_heuristic_alone_with_checkpoint_null(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "searched"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.export",
            "checkpoint=null",
            f"out={out}",
            "name=HRLXFSearched",
            "heuristic.price_slack.middle=0.25",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    meta = read_export(out)
    assert meta["kind"] == "heuristic" and meta["class_name"] == "HRLXFSearched"
    assert meta["heuristic_params"]["price_slack"] == {"first": 0.1, "middle": 0.25, "last": 0.1}
