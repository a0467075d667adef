"""MADDPG and independent DDPG: joint replay, centralized critics, actors as RLlib modules."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from pettingzoo import ParallelEnv
from ray.rllib.core.columns import Columns

from envs.trading.core import N_FEATURES
from policies.maddpg import MADDPG, JointReplayBuffer, MADDPGConfig, ParallelEnvBatch
from policies.maddpg.learn import LearnSettings, learn

OBS = gym.spaces.Box(-1.0, 1.0, shape=(3,), dtype=np.float32)


def make_trainer(centralized=True, action_space=None, n_agents=2, **overrides) -> MADDPG:
    action_space = action_space or gym.spaces.Discrete(4)
    config = MADDPGConfig(centralized=centralized, hidden_sizes=(16,), **overrides)
    agents = [f"a{i}" for i in range(n_agents)]
    return MADDPG(agents, [OBS] * n_agents, [action_space] * n_agents, config, seed=0)


def random_batch(trainer: MADDPG, size=32, seed=0) -> dict:
    rng = np.random.default_rng(seed)
    obs = [rng.uniform(-1, 1, (size, d)).astype(np.float32) for d in trainer.obs_dims]
    return {
        "obs": obs,
        "actions": trainer.random_actions(size, rng),
        "next_obs": [rng.uniform(-1, 1, (size, d)).astype(np.float32) for d in trainer.obs_dims],
        "rewards": rng.normal(size=(size, trainer.n_agents)).astype(np.float32),
        "terminated": np.zeros(size, np.float32),
    }


def test_replay_samples_the_same_rows_for_every_agent():
    buffer = JointReplayBuffer(obs_dims=[1, 2], action_dims=[1, 3], capacity=50)
    for step in range(8):  # each agent's observation encodes the row it was written to
        rows = step * 10 + np.arange(10, dtype=np.float32)
        buffer.add(
            [rows[:, None], np.stack([rows, rows], 1)],
            [rows[:, None], np.stack([rows] * 3, 1)],
            np.stack([rows, -rows], 1),
            [rows[:, None] + 0.5, np.stack([rows, rows], 1) + 0.5],
            np.zeros(10, np.float32),
        )
    assert buffer.size == 50  # 80 rows written into 50: the oldest were overwritten
    batch = buffer.sample(200, np.random.default_rng(0))
    key = batch["obs"][0][:, 0]
    assert key.min() >= 30  # only the newest 50 rows survive
    np.testing.assert_array_equal(batch["obs"][1][:, 1], key)
    np.testing.assert_array_equal(batch["actions"][1][:, 2], key)
    np.testing.assert_array_equal(batch["rewards"][:, 1], -key)
    np.testing.assert_array_equal(batch["next_obs"][1][:, 0], key + 0.5)


def test_replay_rejects_bad_shapes_and_empty_sampling():
    buffer = JointReplayBuffer([2], [2], capacity=4)
    with pytest.raises(ValueError, match="empty"):
        buffer.sample(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rewards must be"):
        buffer.add(
            [np.zeros((2, 2))], [np.zeros((2, 2))], np.zeros(2), [np.zeros((2, 2))], np.zeros(2)
        )


@pytest.mark.parametrize("centralized", [True, False])
def test_critic_sees_other_agents_only_when_centralized(centralized):
    trainer = make_trainer(centralized=centralized)
    batch = random_batch(trainer)
    obs = [torch.as_tensor(o) for o in batch["obs"]]
    actions = [torch.as_tensor(a) for a in batch["actions"]]
    changed = [actions[0], torch.roll(actions[1], 1, dims=-1)]  # agent 1 did something else
    q = trainer.critics[0](trainer.critic_input(0, obs, actions))
    q_changed = trainer.critics[0](trainer.critic_input(0, obs, changed))
    expected_width = 2 * (3 + 4) if centralized else 3 + 4
    assert trainer.critic_input_dim(0) == expected_width
    assert (not torch.allclose(q, q_changed)) == centralized


def test_discrete_actor_is_an_rllib_module_with_straight_through_gumbel_actions():
    trainer = make_trainer()
    actor = trainer.actors[0]
    obs = torch.randn(5, 3)
    out = trainer.multi_rl_module()["a0"].forward_inference({Columns.OBS: obs})
    assert out[Columns.ACTION_DIST_INPUTS].shape == (5, 4)
    action, raw = actor.policy_action(obs, temperature=1.0)
    assert torch.equal(action.sum(-1), torch.ones(5)) and set(action.unique().tolist()) <= {
        0.0,
        1.0,
    }
    action.sum().backward()  # hard one-hot forward, soft gradient backward
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in actor.parameters())
    greedy = actor.greedy_action(obs)
    assert torch.equal(greedy.argmax(-1), raw.argmax(-1))
    assert trainer.to_env_actions([greedy.numpy(), greedy.numpy()])[0] == raw.argmax(-1).tolist()


def test_continuous_actor_stays_in_bounds_and_maps_onto_the_space():
    space = gym.spaces.Box(np.array([0.0, -2.0], np.float32), np.array([1.0, 2.0], np.float32))
    trainer = make_trainer(action_space=space, exploration_noise=5.0)
    obs = [np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)] * 2
    explored = trainer.act(obs, explore=True)[0]
    assert explored.min() >= -1.0 and explored.max() <= 1.0
    env_actions = trainer.to_env_actions([explored, explored])[0]
    assert all(space.contains(a) for a in env_actions)
    np.testing.assert_allclose(trainer.actors[0].to_env_action(np.array([1.0, -1.0])), [1.0, -2.0])
    out = trainer.actors[0].forward_inference({Columns.OBS: torch.as_tensor(obs[0])})
    assert out[Columns.ACTION_DIST_INPUTS].abs().max() <= 1.0


def test_critic_fits_a_fixed_batch_and_actor_updates_are_delayed():
    trainer = make_trainer(policy_delay=2, critic_lr=1e-2)
    batch = random_batch(trainer, size=64)
    target_before = [p.clone() for p in trainer.target_actors[0].parameters()]
    first = trainer.update(batch)
    assert "actor_loss" not in first  # the first critic step has no actor step
    assert all(
        torch.equal(a, b)
        for a, b in zip(target_before, trainer.target_actors[0].parameters(), strict=True)
    )
    second = trainer.update(batch)
    assert "actor_loss" in second
    assert not all(
        torch.equal(a, b)
        for a, b in zip(target_before, trainer.target_actors[0].parameters(), strict=True)
    )
    losses = [trainer.update(batch)["critic_loss"] for _ in range(150)]
    assert np.mean(losses[-10:]) < 0.5 * first["critic_loss"]


def test_checkpoint_round_trip_and_mismatch(tmp_path):
    trainer = make_trainer()
    trainer.update(random_batch(trainer))
    trainer.save(tmp_path / "m.pt")
    other = make_trainer()
    other.load(tmp_path / "m.pt")
    obs = [np.ones((2, 3), np.float32)] * 2
    for a, b in zip(trainer.act(obs, explore=False), other.act(obs, explore=False), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="is for agents"):
        make_trainer(n_agents=3).load(tmp_path / "m.pt")


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="gamma"):
        MADDPGConfig(gamma=1.0)
    with pytest.raises(ValueError, match="batch_size"):
        MADDPGConfig(batch_size=0)


def trading_env():
    from envs.trading import parallel_env

    return parallel_env(episode_length=20)


def test_env_batch_auto_resets_and_reports_episode_returns():
    batch = ParallelEnvBatch(trading_env, n_envs=3, seed=1)
    obs = batch.reset()
    assert [o.shape for o in obs] == [(3, N_FEATURES)] * 4
    total = np.zeros((3, 4))
    for _ in range(19):  # 20 bars give 19 steps
        next_obs, rewards, terminated, obs = batch.step([[np.zeros(1, np.float32)] * 3] * 4)
        total += rewards
    finished = batch.pop_finished_returns()
    assert finished.shape == (3, 4)
    np.testing.assert_allclose(np.sort(finished, axis=0), np.sort(total, axis=0), rtol=1e-5)
    assert not np.array_equal(next_obs[0], obs[0])  # copies continued from fresh episodes


@pytest.mark.parametrize("method", ["maddpg", "iddpg", "random"])
def test_learn_runs_on_the_trading_simulator(method):
    settings = LearnSettings(
        total_env_steps=400, n_envs=2, eval_every=200, eval_episodes=2, seed=0, eval_seed=10_000
    )
    trainer = None
    if method != "random":
        spaces = ParallelEnvBatch(trading_env, 1, 0)
        config = MADDPGConfig(
            centralized=method == "maddpg", batch_size=32, learning_starts=100, train_every=10
        )
        trainer = MADDPG(spaces.agents, spaces.observation_spaces, spaces.action_spaces, config)
    logged = []
    curve = learn(trading_env, settings, trainer, lambda tag, v, step: logged.append(tag))
    assert [step for step, _ in curve] == [0, 200, 400]
    assert all(np.isfinite(v) for _, v in curve)
    assert "eval/return" in logged
    if trainer is not None:
        assert trainer.n_updates > 0 and "losses/critic" in logged


class PointAtTarget(ParallelEnv):
    """Two agents see the same random target (one-hot of 3) and are paid 0.5 each for every
    agent that points at it: optimal episode return 5, uniform random ~1.67."""

    metadata = {"name": "point_at_target"}

    def __init__(self):
        self.possible_agents = ["a0", "a1"]
        self._rng = np.random.default_rng()

    def observation_space(self, agent):
        return gym.spaces.Box(0.0, 1.0, shape=(3,), dtype=np.float32)

    def action_space(self, agent):
        return gym.spaces.Discrete(3)

    def _observe(self):
        self._target = int(self._rng.integers(3))
        return {a: np.eye(3, dtype=np.float32)[self._target] for a in self.agents}

    def reset(self, seed=None, options=None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.agents, self._t = list(self.possible_agents), 0
        return self._observe(), {a: {} for a in self.agents}

    def step(self, actions):
        reward = 0.5 * sum(int(actions[a]) == self._target for a in self.agents)
        self._t += 1
        done = self._t >= 5
        obs = self._observe()
        out = (
            obs,
            dict.fromkeys(self.agents, reward),
            dict.fromkeys(self.agents, False),
            dict.fromkeys(self.agents, done),
            {a: {} for a in self.agents},
        )
        if done:
            self.agents = []
        return out


def test_maddpg_learns_a_task_with_a_known_optimum():
    spaces = ParallelEnvBatch(PointAtTarget, 1, 0)
    config = MADDPGConfig(
        batch_size=128,
        learning_starts=200,
        train_every=4,
        actor_lr=1e-2,
        critic_lr=1e-2,
        policy_delay=1,
    )
    trainer = MADDPG(spaces.agents, spaces.observation_spaces, spaces.action_spaces, config, seed=0)
    settings = LearnSettings(
        total_env_steps=1000, n_envs=4, eval_every=500, eval_episodes=20, seed=0, eval_seed=10_000
    )
    curve = learn(PointAtTarget, settings, trainer, lambda *_: None)
    assert curve[0][1] < 4.0  # untrained
    assert curve[-1][1] >= 4.75  # near the optimum of 5
