"""MAPPO in self-play: the parallel env's critic state, the centralised critic module, and the
self-play stage with ``critic=central`` (conformance of the env: test_env_conformance)."""

import json

import numpy as np
import pytest
import torch
from ray.rllib.core.columns import Columns

from envs.scml import SCMLParallelEnv
from policies.decision.layouts import CRITIC_STATE
from policies.hrl.bundle import WEIGHTS
from policies.hrl.rllib_modules import CentralCriticPlannerModule, DailyPlannerModule
from tests.selfplay_cases import run_selfplay


def three_learners(small_world) -> SCMLParallelEnv:
    world = {**small_world, "learner_processes": [0, 1], "n_learners": 1, "n_processes": 3}
    return SCMLParallelEnv(world=world, horizon=10, critic_state=True)


def test_every_observation_carries_all_learners_in_slot_order(small_world):
    env = three_learners(small_world)
    observations, _ = env.reset(seed=3)
    observations, *_ = env.step({a: np.zeros(16, np.float32) for a in env.agents})
    order = env.possible_agents
    assert len(order) == 2
    for i, agent in enumerate(order):
        assert env.observation_space(agent).contains(observations[agent])
        state = observations[agent][CRITIC_STATE]
        np.testing.assert_array_equal(state["self"], np.eye(len(order))[i])
        for key in ("x_static", "X_temporal", "x_role"):
            for j, other in enumerate(order):
                np.testing.assert_array_equal(state[key][j], observations[other][key])
    # The learners sit on different levels, so their own observations differ.
    assert not np.array_equal(*(observations[a]["x_role"] for a in order))


def test_without_the_option_the_observation_is_the_plain_l2_one(small_world):
    env = SCMLParallelEnv(world=small_world, horizon=10)
    observations, _ = env.reset(seed=0)
    assert all(CRITIC_STATE not in obs for obs in observations.values())


def batch_of(observations: dict, agents: list[str]) -> dict:
    def stack(*values):
        if isinstance(values[0], dict):
            return {k: stack(*(v[k] for v in values)) for k in values[0]}
        return torch.as_tensor(np.stack(values))

    return {Columns.OBS: stack(*(observations[a] for a in agents))}


def test_the_critic_reads_the_other_learners_and_the_actor_does_not(small_world):
    env = three_learners(small_world)
    observations, _ = env.reset(seed=5)
    agent = env.possible_agents[0]
    module = CentralCriticPlannerModule(
        observation_space=env.observation_space(agent),
        action_space=env.action_space(agent),
        model_config={"hidden": 32},
    )
    batch = batch_of(observations, env.possible_agents)
    values = module.compute_values(batch)
    policy = module.forward_inference(batch)[Columns.ACTION_DIST_INPUTS]
    assert values.shape == (2,) and policy.shape == (2, 32)
    # Change only the second learner's slice of the critic state.
    changed = batch_of(observations, env.possible_agents)
    changed[Columns.OBS][CRITIC_STATE]["x_static"][:, 1] += 1.0
    assert not torch.allclose(module.compute_values(changed), values)
    torch.testing.assert_close(
        module.forward_inference(changed)[Columns.ACTION_DIST_INPUTS], policy
    )
    # The actor is DailyPlannerModule's: same weights, same goal distribution.
    plain = DailyPlannerModule(
        observation_space=env.observation_space(agent),
        action_space=env.action_space(agent),
        model_config={"hidden": 32},
    )
    plain.manager.load_state_dict(module.manager.state_dict())
    torch.testing.assert_close(plain.forward_inference(batch)[Columns.ACTION_DIST_INPUTS], policy)


def test_a_plain_observation_is_refused_with_the_missing_key_named(small_world):
    env = SCMLParallelEnv(world=small_world, horizon=10)
    agent = env.possible_agents[0]
    with pytest.raises(ValueError, match="critic_state=True"):
        CentralCriticPlannerModule(
            observation_space=env.observation_space(agent),
            action_space=env.action_space(agent),
            model_config={"hidden": 32},
        )


@pytest.mark.slow
def test_selfplay_with_a_central_critic_trains_the_actor_it_exports(tmp_path):
    run = run_selfplay(
        tmp_path,
        "stage.critic=central",
        "stage.env_steps=12",
        "stage.train_batch_size=12",
        "stage.minibatch_size=12",
        "stage.eval_episodes=0",
        "stage.max_snapshots=0",
        "stage.builtins=[GreedyStdAgent]",
        "stage.winners=[]",
    )
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["settings"]["critic"] == "central" and metrics["env_steps"] >= 12
    before = torch.load(tmp_path / "ppo" / WEIGHTS, weights_only=True)
    after = torch.load(run / "checkpoint" / WEIGHTS, weights_only=True)
    changed = {k.split(".")[0] for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"manager"}  # the critic stays out of the bundle


def test_an_unknown_critic_is_named():
    from experiments.online.settings import SelfPlaySettings

    with pytest.raises(ValueError, match="stage.critic"):
        SelfPlaySettings(critic="shared")


def test_self_play_refuses_per_position_curves_it_would_not_draw():
    from experiments.online.settings import SelfPlaySettings

    with pytest.raises(ValueError, match="eval_every"):
        SelfPlaySettings(eval_every=3)
