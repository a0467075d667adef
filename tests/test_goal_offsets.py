"""Per-position goal offsets (``HorizonManager.goal_offset``, ``stage.trainable=goal_offsets``):
an offset moves its own position's goals only, bundles saved without it play as before, and a
PPO stage that trains only the offsets leaves the positions it never played exactly as they
started."""

import numpy as np
import pytest
import torch

from envs.scml import SCMLDailyEnv
from experiments.common.tensorboard_curves import read_scalars
from experiments.online.settings import PPOStageSettings
from policies.decision.market_view import POSITIONS
from policies.hrl.bundle import HRLBundle
from policies.hrl.horizon_manager import HorizonManager, position_index, position_role
from policies.hrl.rllib_modules import DailyPlannerModule
from tests.online_cases import SHIPPED, run_from_shipped

# x_role = (can_buy, can_sell) of the first, middle and last levels
ROLES = torch.tensor([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])


def observations(n_days: int = 41) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    manager = HorizonManager(hidden=16)
    n_static = manager.static[0].in_features
    n_temporal = manager.temporal[0].in_channels
    return {
        "x_static": torch.rand(3, n_static, generator=generator),
        "X_temporal": torch.rand(3, n_days, n_temporal, generator=generator),
        "x_role": ROLES,
    }


def test_position_index_and_position_role_agree():
    assert position_index(ROLES).tolist() == [0, 1, 2]
    assert torch.equal(torch.cat([position_role(level) for level in range(3)]), ROLES)
    assert POSITIONS == ("first", "middle", "last")


def test_an_offset_moves_its_own_positions_goals_only():
    torch.manual_seed(0)
    manager = HorizonManager(hidden=16)
    obs = observations()
    before = manager(obs)[0]
    with torch.no_grad():
        manager.goal_offset[0] = 0.5  # the first level's
    after = manager(obs)[0]
    moved = (after - before).abs().sum(dim=1)
    assert moved[0] > 0.1
    assert torch.equal(after[1:], before[1:])


def test_a_bundle_saved_without_offsets_loads_them_at_zero():
    manager = HorizonManager(hidden=16)
    old = {k: v for k, v in manager.state_dict().items() if k != "goal_offset"}
    with torch.no_grad():
        manager.goal_offset.fill_(1.0)
    manager.load_state_dict(old)  # strict: nothing else missing, nothing unexpected
    assert torch.equal(manager.goal_offset, torch.zeros(3, 16))
    assert not manager.goal_offset.requires_grad  # frozen unless a stage unfreezes it


def test_goal_offsets_mode_trains_the_offsets_and_value_head_only(tmp_path):
    env = SCMLDailyEnv(world={"n_steps": 5, "log_dir": str(tmp_path / "worlds")}, horizon=40)
    module = DailyPlannerModule(
        observation_space=env.observation_space,
        action_space=env.action_space,
        model_config={"bundle_dir": SHIPPED, "trainable": "goal_offsets"},
    )
    trainable = {n for n, p in module.manager.named_parameters() if p.requires_grad}
    assert trainable == {"goal_offset", "value.weight", "value.bias"}
    whole = DailyPlannerModule(
        observation_space=env.observation_space,
        action_space=env.action_space,
        model_config={"bundle_dir": SHIPPED},
    )
    frozen = {n for n, p in whole.manager.named_parameters() if not p.requires_grad}
    assert frozen == {"goal_offset"}
    with pytest.raises(ValueError, match="trainable"):
        DailyPlannerModule(
            observation_space=env.observation_space,
            action_space=env.action_space,
            model_config={"bundle_dir": SHIPPED, "trainable": "trunk"},
        )


def test_settings_refuse_goal_offsets_outside_rllib_l2():
    assert PPOStageSettings(trainable="goal_offsets").trainable == "goal_offsets"
    for bad in ({"level": "l3"}, {"backend": "sb3", "anchor_kl_coeff": 0.0}, {}):
        with pytest.raises(ValueError, match="trainable"):
            PPOStageSettings(trainable="goal_offsets" if bad else "everything", **bad)


@pytest.mark.slow
def test_ppo_on_goal_offsets_leaves_unplayed_positions_as_they_started(tmp_path):
    """RLlib PPO at the first level only, training the goal offsets, from the shipped student:
    the bundle it writes differs from its start in the first level's offset, the value head and
    the hand-set noise, and nowhere else."""
    run = tmp_path / "run"
    overrides = ["stage.trainable=goal_offsets", "stage.lr=0.01", "stage.num_epochs=2"]
    metrics = run_from_shipped(run, *overrides, "world.learner_process_choices=[0]")
    assert metrics["env_steps"] == 10
    start = HRLBundle.load(SHIPPED).manager.state_dict()
    trained = HRLBundle.load(run / "checkpoint").manager.state_dict()
    changed = {name for name in start if not torch.equal(start[name], trained[name])}
    # the noise is the one stage.goal_log_std set, frozen: no update moved it
    assert changed == {"goal_offset", "value.weight", "value.bias", "goal_log_std"}
    assert torch.equal(trained["goal_log_std"], torch.full((16,), -1.5))
    offset = trained["goal_offset"]
    assert offset[0].abs().sum() > 0
    assert torch.equal(offset[1:], torch.zeros(2, 16))
    _, first = read_scalars(run / "tensorboard", "losses/default_policy/goal_offset/first")
    assert np.isclose(first[-1], float(offset[0].norm()), rtol=1e-5)


def test_offline_stages_leave_the_frozen_offsets_out_of_their_optimizer():
    """BC/AWR optimize the bundle's trainable parameters only, so a run saved before the offsets
    existed resumes with an optimizer state of the same parameters."""
    from policies.hrl.bundle import BundleConfig, trainable_parameters

    bundle = HRLBundle(BundleConfig(horizon=10, hidden=16, d_model=8, n_layers=1, history_length=4))
    chosen = trainable_parameters(bundle)
    assert all(parameter is not bundle.manager.goal_offset for parameter in chosen)
    assert len(chosen) == len(list(bundle.parameters())) - 1


def test_the_sb3_back_end_refuses_a_bundle_with_trained_offsets():
    """SB3's policy computes tanh(goal head) without the offsets: continuing such a bundle there
    would train one policy and write back another."""
    from experiments.online.ppo_sb3 import load_bundle_into

    bundle = HRLBundle.load(SHIPPED)
    with torch.no_grad():
        bundle.manager.goal_offset[0, 2] = 0.1
    with pytest.raises(ValueError, match="goal offsets"):
        load_bundle_into(None, bundle)


def test_a_run_resumes_only_with_the_parts_it_trained():
    from experiments.online.ppo import check_resumable

    started = {"phase": 0, "env_steps": 0, "iterations": 0, "levels": []}
    check_resumable(started, PPOStageSettings(trainable="goal_offsets"))  # nothing trained yet
    older = {**started, "env_steps": 1000}  # saved before stage.trainable: it trained all
    check_resumable(older, PPOStageSettings())
    with pytest.raises(ValueError, match="trainable=all"):
        check_resumable(older, PPOStageSettings(trainable="goal_offsets"))
    with pytest.raises(ValueError, match="trainable=goal_offsets"):
        check_resumable({**older, "trainable": "goal_offsets"}, PPOStageSettings())
