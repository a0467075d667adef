"""RLlib multi-agent PPO on the trading simulator: policy mapping, a real short run."""

import json
import subprocess
import sys

import pytest

from experiments.common.curves import check_run
from experiments.common.rllib_ppo import module_of, rllib_scalars


def test_policy_mapping_by_sharing_mode():
    agents = ["market_maker_0", "trend_follower_1", "trend_follower_2", "supervisor"]
    assert {module_of(a, "shared") for a in agents} == {"shared"}
    assert [module_of(a, "per_type") for a in agents] == [
        "market_maker",
        "trend_follower",
        "trend_follower",
        "supervisor",
    ]
    assert [module_of(a, "per_agent") for a in agents] == agents
    with pytest.raises(ValueError, match="policy sharing must be one of"):
        module_of("a_0", "per_team")


def test_scalars_pick_returns_and_learner_losses():
    result = {
        "env_runners": {"episode_return_mean": 1.5, "module_episode_returns_mean": {"hedger": 0.5}},
        "learners": {"hedger": {"policy_loss": -0.1, "vf_loss": 0.2}, "__all_modules__": {"x": 1}},
    }
    assert rllib_scalars(result) == {
        "charts/episodic_return": 1.5,
        "charts/episodic_return/hedger": 0.5,
        "losses/hedger/policy": -0.1,
        "losses/hedger/vf": 0.2,
    }


@pytest.mark.slow
def test_per_type_training_writes_checkpoint_tensorboard_and_metrics(tmp_path):
    run_dir = tmp_path / "run"
    overrides = [
        "iterations=2",
        "ppo.train_batch_size=200",
        "ppo.minibatch_size=100",
        "ppo.num_epochs=1",
        "ppo.rollout_fragment_length=100",
        "marl_task.kwargs.episode_length=50",
        "marl_task.kwargs.types=[trend_follower,trend_follower,hedger]",
        f"hydra.run.dir={run_dir}",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "experiments.markets.train_rllib_ppo", *overrides],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["modules"] == ["hedger", "trend_follower"]  # two trend followers share one
    assert metrics["env_steps"] >= 400 and metrics["env_steps_per_s"] > 0
    modules = run_dir / "checkpoint" / "learner_group" / "learner" / "rl_module"
    assert sorted(p.name for p in modules.iterdir() if p.is_dir()) == ["hedger", "trend_follower"]
    check_run(run_dir / "tensorboard", ("charts/episodic_return", "charts/SPS"))
    assert list((run_dir / "ray_results").iterdir())  # RLlib's own logs stay in the run dir

    # The checkpoint serves every agent greedily, without a Ray cluster.
    from envs.trading import TradingConfig, parallel_env
    from policies.hierarchical import RLlibTeam

    env = parallel_env(
        config=TradingConfig(types=("trend_follower", "trend_follower", "hedger")),
        episode_length=50,
    )
    spaces = {a: env.action_space(a) for a in env.possible_agents}
    team = RLlibTeam.from_checkpoint(run_dir / "checkpoint", "per_type", spaces)
    obs, _ = env.reset(seed=0)
    while env.agents:
        actions = team(obs)
        assert all(spaces[a].contains(actions[a]) for a in actions)
        obs, *_ = env.step(actions)
    with pytest.raises(ValueError, match="not an RLlib algorithm checkpoint"):
        RLlibTeam.from_checkpoint(tmp_path, "per_type", spaces)
