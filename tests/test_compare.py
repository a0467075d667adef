"""experiments.compare: curves of several runs in one PNG, mean and 95% band over seeds."""

import json
import subprocess
import sys

import numpy as np
import pytest

from experiments.common.curves import CurveLogger
from experiments.common.tensorboard_curves import mean_and_band, t95
from experiments.compare import compare


def fake_runs(root, label, offsets):
    for seed, offset in enumerate(offsets):
        with CurveLogger(root / label / f"seed{seed}") as log:
            for step in range(0, 500, 100):
                log("charts/episodic_return", offset + step / 100, step)


def test_band_is_the_t_interval_over_seeds():
    curves = [(np.array([0, 1]), np.array([1.0, v])) for v in (2.0, 4.0, 6.0)]
    steps, mean, half = mean_and_band(curves)
    assert mean[-1] == pytest.approx(4.0)
    assert half[-1] == pytest.approx(t95(2) * 2.0 / np.sqrt(3))
    assert half[0] == 0.0


def test_compare_writes_png_and_summary(tmp_path):
    fake_runs(tmp_path, "a", [0.0, 1.0, 2.0])
    fake_runs(tmp_path, "b", [10.0, 10.0])
    summary = compare(
        [f"a={tmp_path / 'a'}", f"b={tmp_path / 'b'}"], ["charts/episodic_return"], tmp_path
    )
    a, b = summary["charts/episodic_return"]["a"], summary["charts/episodic_return"]["b"]
    assert (a["seeds"], a["final_step"], a["final_mean"]) == (3, 400, pytest.approx(5.0))
    assert b["final_mean"] == pytest.approx(14.0) and b["final_ci95"] == pytest.approx(0.0)
    assert (tmp_path / "compare.png").stat().st_size > 10_000
    with pytest.raises(ValueError, match="matches no TensorBoard event files"):
        compare([f"c={tmp_path / 'nothing'}"], ["charts/episodic_return"], tmp_path)
    with pytest.raises(ValueError, match="outside the contract"):
        compare([f"a={tmp_path / 'a'}"], ["rollout/ep_rew_mean"], tmp_path)


def test_compare_runs_as_a_hydra_app(tmp_path):
    fake_runs(tmp_path, "a", [0.0, 1.0])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.compare",
            f"runs=['a={tmp_path / 'a'}']",  # Hydra's grammar: quote entries holding '='
            f"hydra.run.dir={tmp_path / 'out'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((tmp_path / "out" / "compare.json").read_text())
    assert summary["charts/episodic_return"]["a"]["seeds"] == 2
