"""The curriculum chain (the main job): every stage on a tiny budget, killed and resumed, rerun
from a stage; the chain's one score curve, the exports and the recommendation."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from experiments.common.curves import check_run
from experiments.common.tensorboard_curves import read_scalars
from experiments.curriculum import check_order

TINY = [
    "collect.n_worlds=3",
    "collect.horizon=10",
    "collect.world.n_steps=6",
    "collect.world.agents_per_process=2",
    "collect.world.n_learners=1",
    "collect.ray.num_cpus=1",
    "train.network.hidden=32",
    "train.network.d_model=16",
    "train.network.n_layers=1",
    "train.history_length=8",
    "bc.epochs=2",
    "awr.epochs=30",  # long enough to be killed in the middle
    "awr.value_epochs=1",
    "ppo.env_steps=24",
    "ppo.train_batch_size=12",
    "ppo.minibatch_size=12",
    "ppo.num_epochs=1",
    "ppo.eval_episodes=1",
    "selfplay.env_steps=12",
    "selfplay.train_batch_size=12",
    "selfplay.minibatch_size=12",
    "selfplay.num_epochs=1",
    "selfplay.eval_episodes=1",
    "selfplay.winners=[PenguinAgent]",
    "online.world.n_steps=6",
    "online.world.agents_per_process=2",
    "online.ray.num_cpus=1",
    "curriculum.eval_worlds=1",
    "recommend.balanced.n_steps=[6,6]",
    "recommend.balanced.n_configs=2",
    "recommend.balanced.agents_per_process=2",
    "recommend.balanced.ray_address=null",
    "dagger.epochs=2",
]


def chain(run_dir, *overrides):
    return [
        sys.executable,
        "-m",
        "experiments.curriculum",
        f"hydra.run.dir={run_dir}",
        *TINY,
        *overrides,
    ]


def finish(run_dir, *overrides):
    result = subprocess.run(chain(run_dir, *overrides), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


@pytest.mark.slow
def test_the_chain_survives_a_kill_and_reruns_from_a_stage(tmp_path):
    run = tmp_path / "run"
    every_stage = "curriculum.stages=[collect,bc,awr,dagger,ppo,selfplay]"
    process = subprocess.Popen(
        chain(run, every_stage),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    state = run / "awr" / "train_state.pt"
    deadline = time.monotonic() + 600
    while not state.is_file() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state.is_file(), "AWR never wrote a training state"
    os.killpg(process.pid, signal.SIGKILL)  # the whole job, Ray workers included
    process.wait()
    assert (run / "bc" / "DONE.json").is_file() and not (run / "awr" / "DONE.json").exists()

    out = finish(run, every_stage)
    assert "[curriculum] collect: done before, skipped" in out
    assert "[curriculum] bc: done before, skipped" in out
    assert "[curriculum] awr: running" in out and not state.exists()  # resumed, then finished
    summary = json.loads((run / "summary.json").read_text())
    trained = ["bc", "awr", "dagger", "ppo", "selfplay"]
    assert list(summary["stages"]) == ["collect", *trained]
    assert set(summary["exports"]) == set(trained)
    for stage in trained:
        assert (run / "exports" / stage / "export.json").is_file()
    for stage in ("bc", "awr", "ppo", "selfplay"):
        check_run(run / stage / "tensorboard", required=("charts/SPS",))
    assert (run / "dagger" / "iter_0" / "train" / "checkpoint").is_dir()
    assert summary["stages"]["dagger"]["samples"] > 0
    # One score curve across the stages: one point per stage, and on cumulative samples.
    steps, values = read_scalars(run / "tensorboard", "eval/tournament_score")
    assert list(steps) == [1, 2, 3, 4, 5]
    steps, by_samples = read_scalars(run / "tensorboard", "eval/tournament_score_by_samples")
    assert len(steps) == 5 and (steps[1:] > steps[:-1]).all() and list(by_samples) == list(values)
    # The recommendation: every stage paired with the shipped agent on the same worlds.
    recommendation = summary["recommendation"]
    assert set(recommendation["paired_to_shipped"]) == set(trained)
    assert recommendation["shipped"].endswith("policies/pretrained/heuristic/agent.zip")
    ahead = [s for s, row in recommendation["paired_to_shipped"].items() if row["ci_low"] > 0]
    expected = (
        summary["exports"][max(ahead, key=lambda s: recommendation["paired_to_shipped"][s]["diff"])]
        if ahead
        else recommendation["shipped"]
    )
    assert recommendation["enter"] == expected
    assert f"enter: {recommendation['enter']}" in out

    first_ppo = (run / "ppo" / "DONE.json").read_text()
    out = finish(run, every_stage, "curriculum.start=selfplay")
    assert "[curriculum] ppo: done before, skipped" in out
    assert "[curriculum] selfplay: running" in out
    assert (run / "ppo" / "DONE.json").read_text() == first_ppo


@pytest.mark.parametrize(
    ("stages", "start", "named"),
    [
        (["bc", "collect"], None, "order"),
        (["collect", "distill"], None, "unknown"),
        (["collect", "dagger", "bc"], None, "order"),
        (["collect", "bc"], "ppo", "curriculum.start"),
    ],
)
def test_bad_curricula_are_refused(stages, start, named):
    with pytest.raises(ValueError, match=named):
        check_order(stages, start)
