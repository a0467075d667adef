"""Collect-and-update loop and greedy evaluation for MADDPG / independent DDPG / random."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pettingzoo import ParallelEnv

from policies.maddpg.actor import env_actions, random_actions
from policies.maddpg.replay import JointReplayBuffer
from policies.maddpg.trainer import MADDPG
from policies.maddpg.vector_env import ParallelEnvBatch

ActFn = Callable[[list[np.ndarray]], list[np.ndarray]]
LogFn = Callable[[str, float, int], None]


def evaluate(make_env: Callable[[], ParallelEnv], act: ActFn, episodes: int, seed: int) -> float:
    """Mean over episodes of the agents' mean episode return, acting with ``act`` (critic-space
    actions)."""
    batch = ParallelEnvBatch(make_env, n_envs=episodes, seed=seed)
    obs = batch.reset()
    while True:
        _, _, _, obs = batch.step(env_actions(batch.action_spaces, act(obs)))
        returns = batch.finished_returns
        if len(returns) >= episodes:
            return float(np.mean(np.array(returns[:episodes]).mean(axis=1)))


@dataclass
class LearnSettings:
    total_env_steps: int = 50_000
    n_envs: int = 4
    eval_every: int = 5_000
    eval_episodes: int = 10
    seed: int = 0
    # The evaluation environments' first seed (experiments.common.seeding.eval_env_seed gives
    # the entry points' value); None: ``seed`` itself.
    eval_seed: int | None = None


def learn(
    make_env: Callable[[], ParallelEnv],
    settings: LearnSettings,
    trainer: MADDPG | None,
    log: LogFn,
    fixed_policy: ActFn | None = None,
) -> list[tuple[int, float]]:
    """Train (``trainer=None``: evaluation only, of ``fixed_policy`` or else a random policy) and
    return the evaluation curve [(env_steps, greedy return)]. ``log(tag, value, env_steps)``
    receives training scalars under the project's tag contract (charts/episodic_return,
    charts/SPS, losses/<name>, eval/return)."""
    if trainer is not None and fixed_policy is not None:
        raise ValueError("learn() takes a trainer or a fixed policy, not both")
    rng = np.random.default_rng(settings.seed)
    envs = ParallelEnvBatch(make_env, settings.n_envs, settings.seed)
    if fixed_policy is not None:
        policy: ActFn = fixed_policy
    elif trainer is None:
        policy = lambda obs: random_actions(envs.action_spaces, len(obs[0]), rng)  # noqa: E731
    else:
        policy = lambda obs: trainer.act(obs, explore=False)  # noqa: E731
        c = trainer.config
        buffer = JointReplayBuffer(trainer.obs_dims, trainer.action_dims, c.buffer_size)
    curve: list[tuple[int, float]] = []

    def record_eval(step: int) -> None:
        eval_seed = settings.seed if settings.eval_seed is None else settings.eval_seed
        value = evaluate(make_env, policy, settings.eval_episodes, eval_seed)
        curve.append((step, value))
        log("eval/return", value, step)

    obs = envs.reset()
    steps, since_train, next_eval = 0, 0, 0
    start = time.perf_counter()
    while steps < settings.total_env_steps:
        if steps >= next_eval:
            record_eval(steps)
            next_eval += settings.eval_every
        if trainer is None:
            steps += settings.n_envs  # nothing learns: only evaluations matter
            continue
        warm = steps < c.learning_starts
        actions = (
            trainer.random_actions(envs.n_envs, rng) if warm else trainer.act(obs, explore=True)
        )
        next_obs, rewards, terminated, obs_after = envs.step(trainer.to_env_actions(actions))
        buffer.add(obs, actions, rewards, next_obs, terminated)
        obs = obs_after
        steps += envs.n_envs
        since_train += envs.n_envs
        if not warm and since_train >= c.train_every:
            since_train = 0
            for _ in range(c.updates_per_train):
                stats = trainer.update(buffer.sample(c.batch_size, rng))
            for key, value in stats.items():
                log(f"losses/{key.removesuffix('_loss')}", value, steps)
        finished = envs.pop_finished_returns()
        if len(finished):
            log("charts/episodic_return", float(finished.mean()), steps)
            log("charts/SPS", steps / max(time.perf_counter() - start, 1e-9), steps)
    record_eval(steps)
    return curve
