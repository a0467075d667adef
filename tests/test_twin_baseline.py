"""SCMLDailyEnv(twin_baseline=True): the reward minus that of the same seeded world played by
the executor's own goals; conformance, exact cancellation, independence of the learner's world,
and the PPO stage's switch."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from envs.scml import SCMLDailyEnv
from experiments.common.curves import check_run
from experiments.common.tensorboard_curves import read_scalars
from experiments.online.ppo import env_kwargs
from experiments.online.settings import PPOStageSettings
from tests.online_cases import run_from_shipped


def test_twin_env_passes_gymnasium_check_env(small_world):
    env = SCMLDailyEnv(world=small_world, horizon=10, twin_baseline=True)
    check_env(env, skip_render_check=True)


def exact(world: dict) -> dict:
    """Training mode: no wall-clock limits, so worlds replay to the bit on a busy machine."""
    return {**world, "mode": "training"}


def test_the_executors_own_goals_cancel_exactly(small_world):
    """Playing what the twin plays gives the twin's world: every reward is 0."""
    env = SCMLDailyEnv(world=exact(small_world), horizon=10, twin_baseline=True)
    _, info = env.reset(seed=4)
    done, rewards = False, []
    while not done:
        _, reward, done, _, info = env.step(info["reference_action"])
        rewards.append(reward)
        assert info["twin_score"] == pytest.approx(info["score"], abs=1e-3)
    assert len(rewards) == small_world["n_steps"]
    assert np.allclose(rewards, 0.0, atol=1e-3)


def test_reward_is_the_plain_reward_minus_the_twins(small_world):
    """The learner's world is the plain env's (the twin draws from its own generators), and the
    reward is that world's reward minus the twin's."""
    plain = SCMLDailyEnv(world=exact(small_world), horizon=10)
    twin = SCMLDailyEnv(world=exact(small_world), horizon=10, twin_baseline=True)
    rng = np.random.default_rng(0)
    plain.reset(seed=7)
    twin.reset(seed=7)
    done, differences = False, []
    while not done:
        action = rng.uniform(-1, 1, size=16).astype(np.float32)
        _, r_plain, done, _, info_plain = plain.step(action)
        _, r_twin, twin_done, _, info_twin = twin.step(action)
        assert twin_done == done
        assert info_twin["score"] == info_plain["score"]
        assert r_twin == pytest.approx(r_plain - info_twin["twin_reward"])
        differences.append(info_twin["score"] - info_twin["twin_score"])
    # random goals are not the executor's: the worlds part, so the baseline is not a copy
    assert np.abs(differences).max() > 1e-4


def test_registered_id_takes_the_switch(small_world):
    env = gym.make("HRLXF/SCMLDaily-v0", world=small_world, horizon=10, twin_baseline=True)
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.zeros(16, dtype=np.float32))
    assert "twin_reward" in info and "twin_score" in info


def test_ppo_stage_passes_the_switch_to_l2_and_refuses_it_elsewhere(tmp_path):
    settings = PPOStageSettings(twin_baseline=True)
    kwargs = env_kwargs("l2", tmp_path, {"n_steps": 5}, 10, settings)
    assert kwargs["twin_baseline"] is True
    assert "twin_baseline" not in env_kwargs("l2", tmp_path, {}, 10, PPOStageSettings())
    with pytest.raises(ValueError, match="twin_baseline"):
        PPOStageSettings(twin_baseline=True, level="l3")


@pytest.mark.slow
def test_ppo_stage_with_the_twin_logs_the_final_score_over_the_twin(tmp_path):
    """RLlib PPO on the twin env from the shipped student: the learner's final score minus the
    twin's is logged per iteration, small (one world, its noisy self against its mean)."""
    run = tmp_path / "run"
    metrics = run_from_shipped(run, "stage.twin_baseline=true", "stage.num_epochs=1")
    assert metrics["env_steps"] == 10
    check_run(run / "tensorboard", required=("charts/final_score", "charts/final_score_over_twin"))
    _, over_twin = read_scalars(run / "tensorboard", "charts/final_score_over_twin")
    assert np.isfinite(over_twin).all() and np.abs(over_twin).max() < 0.5
