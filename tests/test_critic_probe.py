"""The critic probe: critic error against the realized discounted return, and how far a
critic's value and the real return move with another agent's action."""

from pathlib import Path

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf

from experiments.markets.critic_probe import PROBE_SEED, probe_run, run
from experiments.markets.marl_tasks import env_factory
from policies.maddpg import MADDPG, MADDPGConfig
from policies.maddpg.actor import to_env_action

CONF = Path(__file__).resolve().parents[1] / "conf"


def small_block_liquidation():
    task = OmegaConf.load(CONF / "marl_task" / "block_liquidation.yaml")
    task.kwargs.update(types=["liquidator", "liquidator"], initial_position=20, episode_length=6)
    return env_factory(task)


def team(make_env, centralized: bool, constant: float | None = None) -> MADDPG:
    env = make_env()
    agents = list(env.possible_agents)
    config = MADDPGConfig(centralized=centralized, gamma=0.9, reward_scale=10.0)
    trainer = MADDPG(
        agents,
        [env.observation_space(a) for a in agents],
        [env.action_space(a) for a in agents],
        config,
        seed=3,
    )
    if constant is not None:  # every critic says `constant` (scaled), whatever it is shown
        for critic in trainer.critics:
            with torch.no_grad():
                critic[-1].weight.zero_()
                critic[-1].bias.fill_(constant)
    return trainer


@pytest.mark.slow
def test_critic_error_is_the_gap_to_the_realized_discounted_return():
    make_env = small_block_liquidation()
    trainer = team(make_env, centralized=True, constant=0.0)
    stats = probe_run(trainer, make_env, episodes=2)
    # A critic that always says 0 is off by |G_t|, the discounted return from each step on.
    realized = []
    for episode in range(2):
        env = make_env()
        obs, _ = env.reset(seed=PROBE_SEED + episode)
        rewards = []
        while env.agents:
            actions = trainer.act([obs[a][None] for a in trainer.agents], explore=False)
            obs, r, *_ = env.step(
                {
                    a: to_env_action(s, act[0])
                    for a, s, act in zip(
                        trainer.agents, trainer.action_spaces, actions, strict=True
                    )
                }
            )
            rewards.append([r[a] for a in trainer.agents])
        rewards = np.array(rewards)
        for t in range(len(rewards)):
            discounts = 0.9 ** np.arange(len(rewards) - t)
            realized.append(np.abs((discounts[:, None] * rewards[t:]).sum(0)))
    assert stats["critic_error"] == pytest.approx(np.mean(realized), rel=1e-6)
    assert stats["critic_moves"] == 0.0  # a constant critic does not move


@pytest.mark.slow
def test_only_a_centralized_critic_moves_with_the_others_and_the_return_does():
    make_env = small_block_liquidation()
    central = probe_run(team(make_env, centralized=True), make_env, episodes=1)
    independent = probe_run(team(make_env, centralized=False), make_env, episodes=1)
    assert central["critic_moves"] > 0.0 and independent["critic_moves"] == 0.0
    # Another desk selling (or not) in my bar changes what I pay: the truth moves either way.
    assert central["return_moves"] > 0.0 and independent["return_moves"] > 0.0


def test_a_folder_that_is_not_a_comparison_is_named(tmp_path):
    cfg = OmegaConf.create({"compare_dir": str(tmp_path), "episodes": 2, "threads": 1})
    with pytest.raises(FileNotFoundError, match="not a compare_maddpg run"):
        run(cfg)
