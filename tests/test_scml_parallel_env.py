"""SCMLParallelEnv: defaults, one factory per learner, errors (conformance: test_env_conformance)."""

import numpy as np
import pytest

from envs.scml import SCMLParallelEnv, parallel_env


def test_defaults_run_without_arguments(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # default log_dir is relative: keep it in tmp
    env = parallel_env()
    observations, _ = env.reset(seed=0)
    assert set(observations) == {"learner_0", "learner_1"}
    _, rewards, *_ = env.step({a: np.zeros(16, np.float32) for a in env.agents})
    assert all(np.isfinite(r) for r in rewards.values())


def test_every_learner_controls_its_own_factory(small_world):
    env = SCMLParallelEnv(world={**small_world, "n_learners": 2})
    env.reset(seed=1)
    env.step(
        {"learner_0": np.full(16, -1.0, np.float32), "learner_1": np.full(16, 1.0, np.float32)}
    )
    goals = [env.session.agent(env._ids[a]).goal_history[-1] for a in ("learner_0", "learner_1")]
    assert np.all(goals[0][:, 0] == 0) and np.all(goals[1][:, 0] > 0)


def test_missing_action_is_named(small_world):
    env = SCMLParallelEnv(world=small_world)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="missing \\['learner_1'\\]"):
        env.step({"learner_0": np.zeros(16, np.float32)})
