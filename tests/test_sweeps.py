"""Sweeps over stages: Hydra multirun with the basic and joblib launchers, an Optuna study that
survives a killed worker, the sweep report and the HParams of every job."""

import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from experiments.sweep_report import report

TRAIN = [
    "horizon=10",
    "history_length=8",
    "network.hidden=32",
    "network.d_model=16",
    "network.n_layers=1",
    "stage=bc",
    "stage.epochs=2",
]


@pytest.fixture(scope="module")
def dataset(expert_dataset):
    return expert_dataset


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_multirun_over_a_stage_gives_one_job_per_value_and_a_report(dataset, tmp_path, launcher):
    sweep = tmp_path / "sweep"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.train",
            "-m",
            f"dataset={dataset}",
            *TRAIN,
            "stage.lr=1e-3,3e-3",
            f"hydra/launcher={launcher}",
            *(["hydra.launcher.n_jobs=2"] if launcher == "joblib" else []),
            f"hydra.sweep.dir={sweep}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = report(sweep, metric="l3_operation_accuracy")
    assert sorted(j["job"] for j in table["jobs"]) == ["0", "1"]
    assert table["params"] == ["stage.lr"]
    assert {j["params"]["stage.lr"] for j in table["jobs"]} == {1e-3, 3e-3}
    best = max(table["jobs"], key=lambda j: j["metrics"]["l3_operation_accuracy"])
    assert table["best"]["job"] == best["job"]
    assert "**best**" in (sweep / "sweep_report.md").read_text()
    for job in ("0", "1"):  # the HParams tab lines the jobs up
        assert list((sweep / job / "hparams").glob("events.out.tfevents.*"))


@pytest.mark.slow
def test_an_optuna_sweep_killed_mid_trial_resumes_to_the_asked_number_of_trials(dataset, tmp_path):
    run = tmp_path / "sweep"
    command = [
        sys.executable,
        "-m",
        "experiments.sweep",
        f"hydra.run.dir={run}",
        "sweep=awr_beta",
        "sweep.overrides=[" + ",".join(f"'{o}'" for o in [f"dataset={dataset}", *TRAIN]) + "]",
        "sweep.n_trials=3",
        "sweep.startup_trials=2",
        "sweep.heartbeat_s=1",
    ]
    worker = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    second = run / "trials" / "1"
    deadline = time.monotonic() + 300
    while not second.is_dir() and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert second.is_dir(), "the sweep never started its second trial"
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    time.sleep(3)  # longer than the heartbeat's grace period
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    study = optuna.load_study(study_name="awr_beta", storage=f"sqlite:///{run / 'study.db'}")
    states = [t.state for t in study.trials]
    assert states.count(optuna.trial.TrialState.COMPLETE) == 3
    assert optuna.trial.TrialState.FAIL in states  # the killed trial, retried
    summary = json.loads((run / "sweep.json").read_text())
    assert summary["complete_trials"] == 3 and summary["objective"] == "l3_operation_accuracy"
    table = report(run)  # the study's objective and direction pick the best
    assert table["metric"] == "l3_operation_accuracy" and len(table["jobs"]) >= 3
