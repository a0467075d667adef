"""The online stages' update-direction curves: drift of the policy from its start and the cosine
between successive updates, over the policy's own parameters only."""

import pytest
import torch

from experiments.online.update_direction import UpdateDirection, is_policy_parameter
from policies.hrl.horizon_manager import HorizonManager


def module_params(manager: HorizonManager) -> dict[str, torch.Tensor]:
    # Named as in the RLlib L2 module, whose manager is an attribute.
    return {f"manager.{k}": v.clone() for k, v in manager.state_dict().items()}


def shifted(params, direction, scale):
    return {k: v + scale * direction[k] if k in direction else v for k, v in params.items()}


@pytest.fixture
def start():
    torch.manual_seed(0)
    return module_params(HorizonManager(hidden=16))


def test_value_head_critic_and_noise_are_not_the_policy():
    assert not is_policy_parameter("manager.value.weight")
    assert not is_policy_parameter("manager.goal_log_std")
    assert not is_policy_parameter("critic.trunk.0.weight")
    assert not is_policy_parameter("critic_head.0.bias")
    assert not is_policy_parameter("residual_log_std")
    assert is_policy_parameter("manager.goal_mean.weight")
    assert is_policy_parameter("transformer.layers.0.weight")


def test_a_value_or_noise_update_leaves_the_policy_where_it_was(start):
    track = UpdateDirection(start)
    moved = {k: v + 1.0 if ("value" in k or "log_std" in k) else v for k, v in start.items()}
    assert track(moved)["losses/default_policy/policy_drift"] == 0.0


def test_steady_updates_agree_and_reversed_ones_oppose(start):
    direction = {k: torch.randn_like(v) for k, v in start.items() if "goal_mean" in k}
    track = UpdateDirection(start)
    first = track(shifted(start, direction, 0.01))
    assert "losses/default_policy/update_cosine" not in first  # one update: nothing to compare
    second = track(shifted(start, direction, 0.03))
    assert second["losses/default_policy/update_cosine"] == pytest.approx(1.0, abs=1e-5)
    assert second["losses/default_policy/policy_drift"] == pytest.approx(
        3 * first["losses/default_policy/policy_drift"], rel=1e-4
    )
    back = track(shifted(start, direction, 0.0))
    assert back["losses/default_policy/update_cosine"] == pytest.approx(-1.0, abs=1e-5)
    assert back["losses/default_policy/policy_drift"] == pytest.approx(0.0, abs=1e-7)


def test_independent_noisy_updates_are_near_orthogonal(start):
    # Thousands of parameters: two independent random steps have a cosine of about 1/sqrt(n).
    track = UpdateDirection(start, module="learner")
    params = start
    cosines = []
    for _ in range(5):
        params = shifted(params, {k: torch.randn_like(v) for k, v in params.items()}, 1e-3)
        cosines.append(track(params).get("losses/learner/update_cosine"))
    assert all(abs(c) < 0.1 for c in cosines[1:])


def test_a_policy_of_another_shape_or_none_at_all_is_refused(start):
    track = UpdateDirection(start)
    smaller = {k: v for k, v in start.items() if "goal_mean" not in k}
    with pytest.raises(ValueError, match="parameters, its start"):
        track(smaller)
    with pytest.raises(ValueError, match="no policy parameters"):
        UpdateDirection({"manager.value.weight": torch.zeros(2)})


def test_a_resumed_run_measures_its_next_update_from_where_it_was_restored(start):
    direction = {k: torch.randn_like(v) for k, v in start.items() if "goal_mean" in k}
    track = UpdateDirection(start)
    restored = shifted(start, direction, -0.5)  # far from the start, the other way
    track.resume(restored)
    first = track(shifted(restored, direction, 0.01))
    assert "losses/default_policy/update_cosine" not in first
    assert first["losses/default_policy/policy_drift"] > 0  # still measured from the start
    second = track(shifted(restored, direction, 0.02))
    # One update against one update: aligned (from the start it would have been reversed).
    assert second["losses/default_policy/update_cosine"] == pytest.approx(1.0, abs=1e-5)
