"""Executors: who carries out a day is an object the SCML environments take by config."""

import numpy as np
import pytest
import torch

from baselines.heuristic.executor import HeuristicExecutor
from envs.scml import SCMLDailyEnv, SCMLRoundEnv
from policies.decision.executor import Executor, resolve_executor
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.executor import LearnedExecutor


def learned(horizon=10):
    torch.manual_seed(0)
    config = BundleConfig(horizon=horizon, hidden=32, d_model=16, n_layers=1, history_length=8)
    return LearnedExecutor(HRLBundle(config))


def test_specs_resolve_to_executors_and_bad_ones_are_named():
    assert isinstance(resolve_executor("baselines.heuristic.executor:HeuristicExecutor"), Executor)
    tuned = resolve_executor(
        {
            "_target_": "baselines.heuristic.executor.HeuristicExecutor",
            "params": {"production_target": 0.3},
        }
    )
    assert (
        isinstance(tuned, HeuristicExecutor) and tuned.params.production_target.at("middle") == 0.3
    )
    with pytest.raises(ValueError, match="cannot import executor 'nowhere.Nothing'"):
        resolve_executor("nowhere.Nothing")
    with pytest.raises(ValueError, match="is not an executor"):
        resolve_executor("collections:OrderedDict")


def test_daily_env_runs_the_days_with_the_given_executor(small_world):
    executor = learned()
    env = SCMLDailyEnv(world=small_world, horizon=10, executor=executor)
    _, info = env.reset(seed=0)
    agent = env.session.agent(env.learner_id)
    # The world hands agents copies of their parameters: same class, same weights.
    assert isinstance(agent.executor, LearnedExecutor)
    # The reference action is the learned L2's own goal, not the heuristic planner's.
    heuristic = SCMLDailyEnv(world=small_world, horizon=10)
    _, heuristic_info = heuristic.reset(seed=0)
    assert not np.allclose(info["reference_action"], heuristic_info["reference_action"])
    done = False
    while not done:
        _, _, done, _, info = env.step(info.get("reference_action", np.zeros(16, np.float32)))
    assert agent.decisions["responses"] > 0 and agent.fallback_count == 0


def test_an_executor_for_another_horizon_is_refused(small_world):
    with pytest.raises(ValueError, match="horizon 12, the environment with 10"):
        SCMLDailyEnv(world=small_world, horizon=10, executor=learned(horizon=12))


def test_round_env_reference_action_follows_its_executor(small_world):
    env = SCMLRoundEnv(
        world=small_world,
        horizon=10,
        executor={"_target_": "baselines.heuristic.executor:HeuristicExecutor"},
    )
    obs, info = env.reset(seed=1)
    assert env.action_space.contains(info["reference_action"])
    agent = env.session.agent(env.learner_id)
    assert isinstance(agent.executor, HeuristicExecutor) and agent.day is not None
