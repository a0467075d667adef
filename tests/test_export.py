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
from tests.isolated_python import run_isolated


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


def test_the_package_name_changes_with_the_vendored_code_and_only_with_it(
    exported, tmp_path, monkeypatch
):
    import experiments.export as export_module

    checkpoint = exported.parent / "checkpoint"
    again = export_agent(checkpoint, tmp_path / "again", "HRLXFTestAgent")
    assert read_export(again)["package"] == read_export(exported)["package"]
    sources = export_module.runtime_sources()
    monkeypatch.setattr(
        export_module, "runtime_sources", lambda: [*sources[:-1], sources[-1] + "# changed\n"]
    )
    changed = export_agent(checkpoint, tmp_path / "changed", "HRLXFTestAgent")
    assert read_export(changed)["package"] != read_export(exported)["package"]


def test_a_loaded_package_name_with_other_files_is_refused_and_a_copy_is_reused(exported, tmp_path):
    import shutil

    agent_class = load_agent_class(exported)
    package = read_export(exported)["package"]
    copy = shutil.copytree(exported, tmp_path / "copy")
    assert load_agent_class(copy) is agent_class
    edited = shutil.copytree(exported, tmp_path / "edited")
    with (edited / package / "policies" / "hrl" / "executor.py").open("a") as file:
        file.write("# edited\n")
    with pytest.raises(ValueError, match="already loaded from .*different files"):
        load_agent_class(edited)


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
        assert level["seconds_per_day"] > 0 and level["reference_seconds_per_day"] > 0


def test_a_submission_zip_plays_where_this_repository_is_not_importable(exported, tmp_path):
    """Unzipped, the submission runs a short std world in a Python that sees only the
    third-party packages (``python -S``: no .pth files, so no editable install of this repo)."""
    import zipfile

    from experiments.export.package import package_export

    archive = package_export(exported, tmp_path / "agent.zip", {"team": "hrl-xf"})
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(archive).extractall(unpacked)
    package = read_export(exported)["package"]
    assert {"requirements.txt", "README.md", "export.json", package} <= {
        p.name for p in unpacked.iterdir()
    }
    assert read_export(unpacked)["package"] == package  # an export directory again
    assert '__team__ = "hrl-xf"' in (unpacked / package / "__init__.py").read_text()
    code = f"""
import tempfile
import {package} as submission
from scml.std import SCML2024StdWorld
from scml.std.agents import GreedyStdAgent
agent_class = submission.MAIN_AGENT
types = [GreedyStdAgent, GreedyStdAgent, agent_class, GreedyStdAgent, GreedyStdAgent, GreedyStdAgent]
config = SCML2024StdWorld.generate(agent_types=types, agent_processes=[0, 0, 1, 1, 2, 2],
                                   n_processes=3, n_steps=6, random_agent_types=False)
world = SCML2024StdWorld(**config, no_logs=True, saved_details_level=0,
                         log_folder=tempfile.mkdtemp())
world.run()
ours = [a for a in world.agents.values() if type(getattr(a, "_obj", a)).__name__ == {read_export(exported)["class_name"]!r}]
assert len(ours) == 1
inner = getattr(ours[0], "_obj", ours[0])
assert inner.fallback_count == 0 and inner.decisions["goal"] == 6, (inner.fallbacks, inner.decisions)
print("ok", world.scores()[ours[0].id])
"""
    result = run_isolated(code, unpacked, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout.startswith("ok")
