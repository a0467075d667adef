"""Offline stages: samples split by world, returns, BC and AWR runs, checkpoints."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from experiments.common.curves import CurveLogger, check_run
from experiments.datasets.expert_data import ExpertData
from experiments.train.samples import OfflineSamples, split_worlds
from experiments.train.stages import StageSettings, train_stage
from policies.hrl.bundle import BundleConfig, HRLBundle

H = 10


@pytest.fixture(scope="module")
def dataset(expert_dataset):
    return expert_dataset


def test_split_is_by_world_and_never_empty():
    is_val = split_worlds(10, 0.25, seed=0)
    assert is_val.sum() == 2 and (~is_val).sum() == 8
    assert split_worlds(2, 0.9, seed=0).sum() == 1
    with pytest.raises(ValueError, match="2 worlds"):
        split_worlds(1, 0.5, seed=0)


def test_samples_keep_each_world_on_one_side(dataset):
    data = ExpertData.load(dataset)
    samples = OfflineSamples.build(data, H, 8, val_fraction=0.25, seed=0, gamma=0.9, shaping=False)
    val_world = np.flatnonzero(samples.is_val_world)
    assert len(val_world) == 1
    l2_val = samples.l2["is_val"].numpy()
    np.testing.assert_array_equal(l2_val, data["day_world"] == val_world[0])
    rows = samples.proposals["day_row"].numpy()
    np.testing.assert_array_equal(samples.proposals["is_val"].numpy(), l2_val[rows])


def test_rewards_add_up_to_the_final_score_change(dataset):
    data = ExpertData.load(dataset)
    rewards = data.daily_rewards(gamma=1.0, shaping=False)
    returns = data.returns_to_go(rewards, gamma=1.0)
    first_days = np.flatnonzero(data["day_day"] == 0)
    for row in first_days:
        w, a = data["day_world"][row], data["day_agent"][row]
        final = data["expert_final_score"][
            (data["expert_world"] == w) & (data["expert_agent"] == a)
        ][0]
        assert returns[row] == pytest.approx(final - data["day_score_before"][row])


def run_stage(*overrides):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.train",
            f"horizon={H}",
            "history_length=8",
            "network.hidden=32",
            "network.d_model=16",
            "network.n_layers=1",
            *overrides,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_bc_then_awr_write_checkpoints_metrics_and_tensorboard(dataset, tmp_path):
    bc = run_stage(
        "stage=bc", "stage.epochs=3", f"dataset={dataset}", f"hydra.run.dir={tmp_path / 'bc'}"
    )
    assert bc.returncode == 0, bc.stderr[-3000:]
    metrics = json.loads((tmp_path / "bc" / "metrics.json").read_text())
    for key in ("l2_mse", "l3_operation_accuracy", "l3_time_accuracy", "l4_kl"):
        assert np.isfinite(metrics[key]), key
    assert metrics["l3_time_allowed"] == 1.0  # masked logits never pick a forbidden offset
    assert metrics["val_worlds"] == 1 and metrics["train_worlds"] == 3
    tags = check_run(tmp_path / "bc" / "tensorboard", ("charts/learning_rate", "charts/SPS"))
    assert {"losses/l2", "losses/answers", "eval/l3_operation_accuracy"} <= tags
    bundle = HRLBundle.load(tmp_path / "bc" / "checkpoint")
    assert bundle.config.horizon == H
    awr = run_stage(
        "stage=awr",
        "stage.epochs=2",
        "stage.value_epochs=2",
        f"stage.init_from={tmp_path / 'bc' / 'checkpoint'}",
        f"dataset={dataset}",
        f"hydra.run.dir={tmp_path / 'awr'}",
    )
    assert awr.returncode == 0, awr.stderr[-3000:]
    assert json.loads((tmp_path / "awr" / "metrics.json").read_text())["stage"] == "awr"
    before, after = (
        HRLBundle.load(tmp_path / "bc" / "checkpoint"),
        HRLBundle.load(tmp_path / "awr" / "checkpoint"),
    )
    assert any(
        not torch.equal(a, b) for a, b in zip(before.parameters(), after.parameters(), strict=True)
    )
    missing = run_stage("stage=awr", f"dataset={dataset}", f"hydra.run.dir={tmp_path / 'bad'}")
    assert missing.returncode != 0 and "init_from" in missing.stderr


def test_corrupt_or_mismatched_checkpoints_are_clear_errors(tmp_path):
    bundle = HRLBundle(BundleConfig(horizon=H, hidden=32, d_model=16, n_layers=1, history_length=8))
    bundle.save(tmp_path / "ok")
    (tmp_path / "ok" / "weights.pt").write_bytes(
        (tmp_path / "ok" / "weights.pt").read_bytes()[:100]
    )
    with pytest.raises(ValueError, match="does not match"):
        HRLBundle.load(tmp_path / "ok")
    with pytest.raises(ValueError, match="missing"):
        HRLBundle.load(tmp_path / "nothing")
    bundle.save(tmp_path / "other")
    config = json.loads((tmp_path / "other" / "config.json").read_text())
    config["bundle"]["hidden"] = 64
    (tmp_path / "other" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="does not match"):
        HRLBundle.load(tmp_path / "other")


class Interrupted(Exception):
    pass


class KillAfter(CurveLogger):
    """A logger that kills the stage after its n-th epoch's validation metrics."""

    def __init__(self, log_dir, epochs):
        super().__init__(log_dir)
        self.left = epochs

    def __call__(self, tag, value, step):
        super().__call__(tag, value, step)
        if tag == "eval/l2_mse":
            self.left -= 1
            if self.left == 0:
                raise Interrupted


@pytest.mark.parametrize("kind", ["bc", "awr"])
def test_a_killed_stage_resumes_from_its_last_epoch_to_the_same_weights(dataset, tmp_path, kind):
    data = ExpertData.load(dataset)
    samples = OfflineSamples.build(data, H, 8, val_fraction=0.25, seed=0, gamma=0.9, shaping=True)
    config = BundleConfig(horizon=H, hidden=32, d_model=16, n_layers=1, history_length=8)
    settings = StageSettings(
        kind=kind, epochs=4, batch_size=32, init_from="bc" if kind == "awr" else None
    )

    def fresh():
        torch.manual_seed(0)
        return HRLBundle(config)

    whole = fresh()
    with CurveLogger(tmp_path / "whole") as log:
        expected = train_stage(whole, samples, settings, 0, log)
    state = tmp_path / "state.pt"
    killed = fresh()
    with pytest.raises(Interrupted), KillAfter(tmp_path / "killed", 2) as log:
        train_stage(killed, samples, settings, 0, log, state)
    # Killed inside the second epoch: the first epoch's state is the last one written.
    assert torch.load(state, weights_only=False)["epoch"] == 0
    resumed = fresh()  # a new process starts from the initial weights again
    with CurveLogger(tmp_path / "resumed") as log:
        metrics = train_stage(resumed, samples, settings, 0, log, state)
    assert metrics == pytest.approx(expected)
    for key, tensor in whole.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[key], tensor, msg=key)
