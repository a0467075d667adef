"""Exported agents: self-contained directories, load-time validation, fallbacks, no heavy imports."""

import json
import subprocess
import sys

import numpy as np
import pytest

from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from experiments.export import export_agent, load_agent_class
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.exported import read_export


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    HRLBundle(BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8)).save(
        root / "checkpoint", extra={"stage": "bc"}
    )
    return export_agent(root / "checkpoint", root / "agent", "HRLXFTestAgent")


def play(agent_class, level, tmp_path, n_steps=8):
    config = WorldConfig(
        n_steps=n_steps,
        agents_per_process=3,
        learner_process=level,
        opponents=["GreedyStdAgent", "PenguinAgent"],
        log_dir=str(tmp_path / "worlds"),
    )
    session = WorldSession(config, agent_class, seed=level, horizon=10)
    while not session.done:
        session.step_day()
    agent_id = session.learner_ids[0]
    return session.agent(agent_id), session.scores()[agent_id]


def test_export_directory_loads_as_an_agent_class(exported):
    agent_class = load_agent_class(exported)
    assert agent_class.__name__ == "HRLXFTestAgent" and agent_class is load_agent_class(exported)
    package = read_export(exported)["package"]
    assert package.startswith("hrlxf_hrlxftestagent_")
    assert agent_class.__module__ == f"{package}.agent"
    assert json.loads((exported / "export.json").read_text())["stage"] == "bc"


@pytest.mark.parametrize("level", [0, 1, 2])
def test_exported_agent_plays_every_level_without_fallbacks(exported, tmp_path, level):
    agent, score = play(load_agent_class(exported), level, tmp_path)
    assert agent.fallback_count == 0
    assert agent.decisions["goal"] == 8 and agent.decisions["responses"] > 0
    assert np.isfinite(score)


def test_a_failing_network_falls_back_to_the_heuristic_and_is_counted(
    exported, tmp_path, monkeypatch
):
    agent_class = load_agent_class(exported)

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(agent_class.__init__.__globals__["LearnedExecutor"], "respond", broken)
    agent, score = play(agent_class, 1, tmp_path, n_steps=5)
    assert agent.fallbacks["responses"] == agent.decisions["responses"] > 0
    assert agent.fallbacks["goal"] == 0  # the goal network still works
    assert np.isfinite(score)


def test_corrupt_or_incomplete_exports_are_clear_errors(exported, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(exported, broken)
    package = read_export(exported)["package"]
    (broken / package / "weights.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="does not match"):
        load_agent_class(broken)
    incomplete = tmp_path / "incomplete"
    shutil.copytree(exported, incomplete)
    (incomplete / package / "agent.py").unlink()
    with pytest.raises(ValueError, match="missing"):
        load_agent_class(incomplete)
    (broken / package / "weights.pt").write_bytes((exported / package / "weights.pt").read_bytes())
    (broken / "export.json").write_text("{")
    with pytest.raises(ValueError, match="corrupt"):
        load_agent_class(broken)
    with pytest.raises(ValueError, match="identifier"):
        export_agent(exported, tmp_path / "x", "not a name")


def test_the_agent_needs_no_ray_sb3_or_hydra(exported):
    code = (
        "import sys; from policies.hrl.exported import load_agent_class; "
        f"load_agent_class({str(exported)!r}); "
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'ray', 'stable_baselines3', 'hydra'}); "
        "assert not heavy, heavy"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_check_reports_fallbacks_per_level(exported):
    from experiments.export.check import check

    report = check(str(exported), worlds_per_level=1, n_steps=5, opponents=["GreedyStdAgent"])
    assert sorted(report) == ["level0", "level1", "level2"]
    for level in report.values():
        assert (
            level["crashed_worlds"] == 0
            and level["fallbacks"] == {}
            and level["decisions"]["goal"] == 5
        )
