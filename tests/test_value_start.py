"""Where an online stage's value head starts (``stage.value_start``): V = 0 from an offline
bundle, the bundle's own head from a bundle an online stage wrote; the policy is untouched."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from ray.rllib.core.columns import Columns

from envs.scml.state_builder import observation_space
from experiments.online.settings import PPOStageSettings, SelfPlaySettings
from experiments.online.value_start import resolve_value_start
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.rllib_modules import DailyPlannerModule

HORIZON = 10


def saved_bundle(directory, stage: str):
    torch.manual_seed(0)
    config = BundleConfig(horizon=HORIZON, hidden=32, d_model=16, n_layers=1, history_length=8)
    HRLBundle(config).save(directory, extra={"stage": stage})
    return directory


@pytest.mark.parametrize(
    ("stage", "expected"),
    [("bc", "zero"), ("awr", "zero"), ("ppo", "bundle"), ("selfplay", "bundle")],
)
def test_auto_clears_the_head_of_an_offline_bundle_only(tmp_path, stage, expected):
    assert resolve_value_start("auto", saved_bundle(tmp_path / stage, stage)) == expected


def test_explicit_starts_and_fresh_networks(tmp_path):
    offline = saved_bundle(tmp_path / "bc", "bc")
    assert resolve_value_start("bundle", offline) == "bundle"
    assert resolve_value_start("zero", saved_bundle(tmp_path / "ppo", "ppo")) == "zero"
    assert resolve_value_start("auto", None) == "bundle"  # fresh networks keep their own init


@pytest.mark.parametrize("settings", [PPOStageSettings, SelfPlaySettings])
def test_an_unknown_start_is_refused_by_name(settings):
    with pytest.raises(ValueError, match="stage.value_start"):
        settings(value_start="random")
    with pytest.raises(ValueError, match="stage.value_start"):
        resolve_value_start("random", None)


def planner(bundle_dir, value_start: str | None) -> DailyPlannerModule:
    return DailyPlannerModule(
        observation_space=observation_space(HORIZON),
        action_space=gym.spaces.Box(-1.0, 1.0, (16,), np.float32),
        model_config={"bundle_dir": str(bundle_dir), "value_start": value_start},
    )


def test_a_zero_start_clears_the_value_and_keeps_the_policy(tmp_path):
    bundle_dir = saved_bundle(tmp_path / "bc", "bc")
    space = observation_space(HORIZON)
    space.seed(0)
    obs = [space.sample() for _ in range(5)]
    batch = {Columns.OBS: {k: torch.as_tensor(np.stack([o[k] for o in obs])) for k in obs[0]}}
    with torch.no_grad():
        bundle_value = HRLBundle.load(bundle_dir).manager(batch[Columns.OBS])[2]
        kept, cleared = planner(bundle_dir, None), planner(bundle_dir, "zero")
        assert torch.allclose(kept.compute_values(batch), bundle_value)
        assert bundle_value.abs().min() > 0  # a random head predicts something
        assert torch.equal(cleared.compute_values(batch), torch.zeros(5))
        torch.testing.assert_close(
            cleared.forward_inference(batch)[Columns.ACTION_DIST_INPUTS],
            kept.forward_inference(batch)[Columns.ACTION_DIST_INPUTS],
        )
    with pytest.raises(ValueError, match="value_start"):
        planner(bundle_dir, "random")
