"""Where an online stage's value head starts (``stage.value_start``): V = 0 from an offline
bundle, the bundle's own head from a bundle an online stage wrote; the policy is untouched."""

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf

from envs.scml.state_builder import observation_space
from experiments.online.__main__ import starting_bundle
from experiments.online.settings import PPOStageSettings, SelfPlaySettings
from experiments.online.value_start import resolve_value_start
from policies.hrl.bundle import BundleConfig, HRLBundle

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


def started(tmp_path, source, value_start: str = "auto"):
    """The run's ``initial`` bundle for a start at ``source``."""
    settings = PPOStageSettings(init_from=str(source), value_start=value_start)
    cfg = OmegaConf.create({"horizon": HORIZON})
    return HRLBundle.load(starting_bundle(settings, cfg, tmp_path / "run"))


def test_the_run_starts_with_a_zero_head_from_an_offline_bundle_only(tmp_path):
    """The decision is the source's: the run's own copy (``initial``) records no online stage,
    so a chunk of a longer run must still keep the head PPO fitted."""
    space = observation_space(HORIZON)
    space.seed(0)
    obs = [space.sample() for _ in range(5)]
    batch = {k: torch.as_tensor(np.stack([o[k] for o in obs])) for k in obs[0]}
    offline = saved_bundle(tmp_path / "bc", "bc")
    online = saved_bundle(tmp_path / "ppo", "ppo")
    with torch.no_grad():
        source_mean, _, source_value = HRLBundle.load(offline).manager(batch)
        assert source_value.abs().min() > 0  # an unfitted head predicts something
        mean, _, value = started(tmp_path / "a", offline).manager(batch)
        assert torch.equal(value, torch.zeros(5))
        torch.testing.assert_close(mean, source_mean)  # the policy is untouched
        kept = started(tmp_path / "b", online).manager(batch)[2]
        torch.testing.assert_close(kept, HRLBundle.load(online).manager(batch)[2])
        forced = started(tmp_path / "c", offline, "bundle").manager(batch)[2]
        torch.testing.assert_close(forced, source_value)
