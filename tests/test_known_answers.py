"""Known-answer checks: with one advisor of planted skill among coin flips, stage 1 (SB3 PPO on
HRLXF/AdvisorWeights-v0) must learn to weight it; with one factor of planted predictive power,
the calibration env's factor agent (RLlib PPO) must raise its beta; the liquidation task of the
trading simulator pays for spacing sales out, and its block version for taking turns. A failure here is a learning bug, not a market
without signal."""

from pathlib import Path

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf

from baselines.allocation_baselines import equal_weights
from envs.allocation.calibration import CalibrationParallelEnv
from envs.allocation.envs import LOGIT_SCALE, AdvisorWeightsEnv
from envs.allocation.fusion import softmax
from envs.allocation.scenarios import planted_factor_series, planted_skill_series
from envs.trading.rules import rule_actions
from experiments.common.ppo_settings import RLlibPPOSettings
from experiments.common.ray_runtime import start_ray
from experiments.common.rllib_ppo import build_ppo
from experiments.markets.evaluate_allocation import train
from experiments.markets.evaluate_calibration import walk
from experiments.markets.marl_tasks import env_factory
from experiments.markets.train_maddpg import schedule_policy
from policies.hierarchical import RLlibTeam
from policies.maddpg import MADDPG, MADDPGConfig, ParallelEnvBatch
from policies.maddpg.learn import LearnSettings, evaluate, learn

CONF = Path(__file__).resolve().parents[1] / "conf"


def test_planted_advisors_are_right_as_often_as_planted():
    series = planted_skill_series((0.6, 0.5), n_bars=20_000, seed=3)
    up = series.next_return[:-1] > 0
    calls_up = series.votes[:-1, :, 0] == 1
    accuracy = (calls_up == up[:, None]).mean(axis=0)
    np.testing.assert_allclose(accuracy, [0.6, 0.5], atol=0.015)
    assert series.advisor_names == ("skill_0.6_0", "skill_0.5_1")
    with pytest.raises(ValueError, match="probabilities"):
        planted_skill_series((1.5,))


def stage1_on_planted_skill(skill: float, seed: int, gamma: float, log_dir: Path):
    """Stage 1 as the allocation evaluation trains it (20k steps, accuracy reward) on 2,000 bars
    with one advisor of planted ``skill`` among three coin flips; on the next 999 bars: its mean
    weights, its positions, the bars' directions and the series."""
    torch.set_num_threads(1)
    series = planted_skill_series((skill, 0.5, 0.5, 0.5), n_bars=3000, seed=seed)
    env = AdvisorWeightsEnv(
        series=series, start=0, stop=2000, episode_length=200, reward="accuracy"
    )
    model = train([env], 20_000, gamma, seed, str(log_dir), "stage1")
    test = AdvisorWeightsEnv(series=series, start=2000, stop=3000, episode_length=1)
    actions = [model.predict(test.observation_at(t), deterministic=True)[0] for t in range(999)]
    weights = np.mean([softmax(LOGIT_SCALE * np.clip(a, -1.0, 1.0)) for a in actions], axis=0)
    learned = np.array([test.position_for(t, a) for t, a in enumerate(actions)])
    return weights, learned, np.sign(series.next_return[2000:2999]), series


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_stage1_learns_to_weight_the_skilled_advisor(seed, tmp_path):
    weights, learned, up, series = stage1_on_planted_skill(0.6, seed, 0.99, tmp_path)
    assert weights[0] > 0.5 and weights[0] == weights.max(), weights
    equal = equal_weights(series.slice(2000, 2999))
    assert np.mean(learned == up) > np.mean(equal == up) + 0.03


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_stage1_weights_a_55_percent_advisor_above_the_coin_flips(seed, tmp_path):
    """The weak signal: right 55% of the time, 2,000 training bars. A bar is a bandit (the weights
    move no later observation), so the discount is 0: with 0.99 every advantage carries the
    next bars' coin flips and 20k steps leave 2 of 5 seeds undecided (0.99: weights on the
    skilled advisor 0.92/0.42/0.41/0.61/0.99 over seeds 0-4; 0: 0.65/0.85/0.99/0.93/0.99)."""
    weights, learned, up, _ = stage1_on_planted_skill(0.55, seed, 0.0, tmp_path)
    assert weights[0] > 0.5 and weights[0] == weights.max(), weights
    assert np.mean(learned == up) > 0.53


def test_planted_factor_predicts_the_next_normalized_return_as_planted():
    series = planted_factor_series(power=0.3, factor="value", n_bars=20_000, seed=2)
    value = series.factor_names.index("value")
    normalized = series.next_return[:-1]
    corr = np.corrcoef(series.scores[:-1, value], normalized)[0, 1]
    assert corr == pytest.approx(0.3, abs=0.02)
    others = [k for k in range(len(series.factor_names)) if k != value]
    for k in others:  # the bars' own factors carry no planted signal on GBM bars
        assert abs(np.corrcoef(series.scores[:-1, k], normalized)[0, 1]) < 0.05
    with pytest.raises(ValueError, match="factor must be one of"):
        planted_factor_series(factor="momentum")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_calibration_agent_raises_the_beta_of_the_planted_factor(tmp_path, seed):
    torch.set_num_threads(1)
    series = planted_factor_series(power=0.6, factor="value", n_bars=3000, seed=seed)
    start_ray(tmp_path, 1, None)

    def make_env():
        return CalibrationParallelEnv(series=series, start=0, stop=2000, episode_length=250)

    ppo = RLlibPPOSettings()  # 1000-step batches, 250-step minibatches, 4 epochs, lr 3e-4
    algo, modules = build_ppo(make_env, f"hrlxf-planted-factor-{seed}", "per_type", ppo, seed)
    try:
        for _ in range(15):
            algo.train()
        test = CalibrationParallelEnv(series=series, start=2000, stop=2999, episode_length=1)
        spaces = {a: test.action_space(a) for a in test.possible_agents}
        team = RLlibTeam({m: algo.get_module(m) for m in modules}, "per_type", spaces)
    finally:
        algo.stop()
    _, betas = walk(test, 2000, 900, team)
    value = series.factor_names.index("value")
    # Initial betas 0.5: the planted factor's agent pushes its beta up and keeps it there, the
    # agents of the signal-free factors bring theirs down.
    means = betas.mean(axis=0)
    assert means[value] > 0.8 and np.delete(means, value).max() < 0.5, means


def liquidation_return(policy, episodes: int = 20) -> float:
    """Mean per-desk episode return of ``policy(env, obs) -> fractions`` on the liquidation task."""
    make_env = env_factory(OmegaConf.load(CONF / "marl_task" / "liquidation.yaml"))
    totals = []
    for episode in range(episodes):
        env = make_env()
        obs, _ = env.reset(seed=episode)
        total = 0.0
        while env.agents:
            fractions = policy(env, np.stack([obs[a] for a in env.agents]))
            obs, rewards, *_ = env.step(
                {a: env.env_action(float(f)) for a, f in zip(env.agents, fractions, strict=True)}
            )
            total += np.mean(list(rewards.values()))
        totals.append(total)
    return float(np.mean(totals))


def test_liquidation_scenario_pays_for_spacing_sales_out():
    def twap(env, obs):
        return rule_actions(obs[None], env.config.types)[0]

    def race(env, obs):  # every desk sells as fast as it can until it is flat
        return -np.minimum(env.core.position[0] / env.config.max_trade, 1.0)

    def wait(env, obs):  # nobody sells: the deadline dumps all four blocks at once
        return np.zeros(len(obs))

    spaced, raced, dumped = (liquidation_return(p) for p in (twap, race, wait))
    assert spaced > raced + 0.03 and raced > dumped + 0.03, (spaced, raced, dumped)


def block_liquidation_returns(policies: dict, episodes: int = 20) -> dict[str, float]:
    make_env = env_factory(OmegaConf.load(CONF / "marl_task" / "block_liquidation.yaml"))
    return {
        name: evaluate(make_env, act(make_env), episodes, seed=0) for name, act in policies.items()
    }


def test_block_liquidation_pays_for_taking_turns():
    def hold(make_env):  # nobody sells: the deadline dumps every block in one bar
        hold_row = np.eye(3, dtype=np.float32)[make_env().env_action(0.0)]
        return lambda obs: [np.tile(hold_row, (len(o), 1)) for o in obs]

    returns = block_liquidation_returns(
        {
            "turns": lambda make_env: schedule_policy(make_env, "turn_taking"),
            "naive": lambda make_env: schedule_policy(make_env, "everyone_every_bar"),
            "hold": hold,
        }
    )
    # Four desks x 5 blocks in 20 bars: one seller a bar pays one block's impact; four sellers
    # a bar pay twice that per block (the square-root law); the deadline pays for 20 at once.
    assert returns["turns"] > returns["naive"] + 0.03 > returns["hold"] + 0.06, returns


@pytest.mark.slow
def test_maddpg_learns_to_beat_everyone_selling_every_bar():
    # The task made small: two desks of two blocks each, four bars before the deadline.
    torch.set_num_threads(1)
    task = OmegaConf.load(CONF / "marl_task" / "block_liquidation.yaml")
    task.kwargs.update(types=["liquidator", "liquidator"], initial_position=20, episode_length=6)
    make_env = env_factory(task)
    config = MADDPGConfig(gamma=0.99, reward_scale=10.0, train_every=10)
    spaces = ParallelEnvBatch(make_env, 1, 1)
    trainer = MADDPG(spaces.agents, spaces.observation_spaces, spaces.action_spaces, config, 1)
    settings = LearnSettings(
        total_env_steps=20_000, n_envs=4, eval_every=4_000, eval_episodes=20, seed=1, eval_seed=7
    )
    curve = learn(make_env, settings, trainer, lambda *_: None)
    naive = evaluate(make_env, schedule_policy(make_env, "everyone_every_bar"), 20, seed=7)
    turns = evaluate(make_env, schedule_policy(make_env, "turn_taking"), 20, seed=7)
    assert curve[0][1] < naive  # untrained: worse than the naive schedule
    # Within the budget the greedy team gets a quarter of the way from the naive schedule to
    # turn-taking. Not necessarily at the last evaluation: on this small task the team keeps
    # losing and finding the answer (a desk drifts into holding for the deadline); the full
    # task's curves settle (experiments/reports/markets/maddpg_block_liquidation.md).
    best = max(value for _, value in curve[1:])
    assert best > naive + 0.25 * (turns - naive), (curve, naive, turns)
