"""SCMLParallelEnv: several learner factories in one SCML world (PettingZoo ParallelEnv).

Every learner sets its daily L2 goal; the executor's L3/L4 under the L1 shield carry it out. Meant for
self-play: the learners share the world, so each one's goal moves the others' prices and deals.
With ``critic_state=True`` every observation also carries what a centralised critic (MAPPO)
reads: all learners' observations stacked in slot order and the agent's own slot.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from envs.scml.config import world_config
from envs.scml.daily_control import (
    apply_goal,
    check_goal_action,
    executor_params,
    reference_action,
)
from envs.scml.reward import SHAPING_DEFAULT, RewardTracker
from envs.scml.session import WorldSession
from envs.scml.state_builder import observation_space
from envs.scml.world_builder import WorldConfig
from policies.decision.agent import ExecutorStdAgent
from policies.decision.executor import Executor
from policies.decision.layouts import CRITIC_STATE
from policies.l2_goal import GOAL_DIM, GoalCodec


class SCMLParallelEnv(ParallelEnv):
    """Multi-agent daily control; agents are named ``learner_0``, ``learner_1``, ...

    Args:
        world: world options; ``n_learners`` (default 2 here) learner slots on the learner level,
            or on each of ``learner_processes`` (agents in slot order, level by level).
        horizon, reward_shaping, shaping_gamma, executor: as in :class:`SCMLDailyEnv`.
        opponents_fn: called with the env's generator at every reset, returns the opponents of
            that episode (agent names, as ``world.opponents``): a league's draw in self-play.
        critic_state: add ``observation["critic"]``: each key of the L2 observation stacked over
            the learners in ``possible_agents`` order (leading axis N), and ``self``, the one-hot
            of this agent's slot. A policy reads the top-level keys only; a centralised critic
            reads ``critic`` (:class:`policies.hrl.rllib_modules.CentralCriticPlannerModule`).

    At the end of an episode every agent's info holds ``score`` and ``opponent_score`` (the mean
    final score of the factories that are not learners) and ``opponents`` (the episode's list).
    """

    metadata = {"name": "hrlxf_scml_daily_v0", "render_modes": []}

    def __init__(
        self,
        world: WorldConfig | dict[str, Any] | None = None,
        horizon: int = 40,
        reward_shaping: bool = SHAPING_DEFAULT,
        shaping_gamma: float = 0.99,
        executor: Executor | str | dict | None = None,
        opponents_fn: Callable[[np.random.Generator], list[str]] | None = None,
        critic_state: bool = False,
    ) -> None:
        options = {"n_learners": 2, "agents_per_process": 3}
        if isinstance(world, WorldConfig):
            self.world_config = world
        else:
            self.world_config = world_config({**options, **(world or {})})
        self.horizon = horizon
        self.learner_params = executor_params(executor, horizon)
        self.codec = GoalCodec(horizon)
        self.reward_shaping = reward_shaping
        self.shaping_gamma = shaping_gamma
        self.opponents_fn = opponents_fn
        self.critic_state = critic_state
        self.opponents = list(self.world_config.opponents)
        n_agents = self.world_config.n_learners * len(self.world_config.learner_levels)
        self.possible_agents = [f"learner_{i}" for i in range(n_agents)]
        self.agents: list[str] = []
        self.session: WorldSession | None = None
        self._ids: dict[str, str] = {}
        self._rewards: dict[str, RewardTracker] = {}
        self._rng = np.random.default_rng()

    @functools.cache  # noqa: B019 - PettingZoo asks for the same object each time
    def observation_space(self, agent: str) -> spaces.Dict:
        space = observation_space(self.horizon)
        if not self.critic_state:
            return space
        return spaces.Dict(
            {**space.spaces, CRITIC_STATE: critic_space(space, len(self.possible_agents))}
        )

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> spaces.Box:
        return spaces.Box(-1.0, 1.0, shape=(GOAL_DIM,), dtype=np.float32)

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        config = self.world_config
        if self.opponents_fn is not None:
            self.opponents = list(self.opponents_fn(self._rng))
            config = dataclasses.replace(config, opponents=self.opponents)
        self.session = WorldSession(
            config,
            ExecutorStdAgent,
            int(self._rng.integers(0, 2**31 - 1)),
            self.horizon,
            learner_params=self.learner_params,
            shaping_gamma=self.shaping_gamma,
        )
        self.agents = list(self.possible_agents)
        self._ids = dict(zip(self.possible_agents, self.session.learner_ids, strict=True))
        self._rewards = {
            a: RewardTracker(self.reward_shaping, self.shaping_gamma) for a in self.agents
        }
        scores = self.session.scores()
        observations, infos = {}, {}
        for agent in self.agents:
            view = self.session.view(self._ids[agent], scores)
            self._rewards[agent].reset(view.score, view.potential)
            observations[agent] = view.observation
            infos[agent] = self._info(agent, view, {"score": view.score})
        return self._with_critic_state(observations), infos

    def step(self, actions: dict[str, np.ndarray]):
        if self.session is None or not self.agents:
            raise RuntimeError("call reset() before step(); the episode may be over")
        missing = sorted(set(self.agents) - set(actions))
        if missing:
            raise ValueError(f"step() needs an action for every live agent; missing {missing}")
        for agent in self.agents:
            action = check_goal_action(
                self.action_space(agent), actions[agent], who=f"action of {agent}"
            )
            apply_goal(self.session, self._ids[agent], self.codec, action)
        self.session.step_day()
        done = self.session.done
        scores = self.session.scores()
        observations, rewards, terminations, truncations, infos = {}, {}, {}, {}, {}
        for agent in self.agents:
            view = self.session.view(self._ids[agent], scores)
            observations[agent] = view.observation
            rewards[agent], parts = self._rewards[agent].step(view.score, view.potential, done)
            terminations[agent], truncations[agent] = done, False
            infos[agent] = self._info(agent, view, parts, done)
            if done:
                infos[agent] |= {
                    "score": view.score,
                    "opponent_score": self._opponent_score(scores),
                    "opponents": list(self.opponents),
                }
        if done:
            self.agents = []
        return self._with_critic_state(observations), rewards, terminations, truncations, infos

    def _with_critic_state(self, observations: dict[str, dict]) -> dict[str, dict]:
        """Every learner is live from reset to the shared last day, so all N are stacked."""
        if not self.critic_state:
            return observations
        order = self.possible_agents
        stacked = {
            key: np.stack([observations[a][key] for a in order]) for key in observations[order[0]]
        }
        slots = np.eye(len(order), dtype=np.float32)
        return {
            agent: {**observations[agent], CRITIC_STATE: {**stacked, "self": slots[i]}}
            for i, agent in enumerate(order)
        }

    def _info(self, agent: str, view, parts: dict, done: bool = False) -> dict[str, Any]:
        assert self.session is not None
        info = {"agent_id": self._ids[agent], "potential": view.potential, **parts}
        if not done:
            info["reference_action"] = reference_action(
                self.session, self._ids[agent], self.codec, view
            )
        return info

    def _opponent_score(self, scores: dict[str, float]) -> float:
        learners = set(self._ids.values())
        others = [score for agent_id, score in scores.items() if agent_id not in learners]
        return float(np.mean(others)) if others else float("nan")

    def close(self) -> None:
        self.session = None


def critic_space(space: spaces.Dict, n_agents: int) -> spaces.Dict:
    """The centralised critic's part of an observation: ``space``'s boxes stacked ``n_agents``
    times, plus the one-hot ``self``."""
    stacked = {
        key: spaces.Box(
            np.repeat(box.low[None], n_agents, axis=0),
            np.repeat(box.high[None], n_agents, axis=0),
            dtype=box.dtype,
        )
        for key, box in space.spaces.items()
    }
    return spaces.Dict({**stacked, "self": spaces.Box(0.0, 1.0, (n_agents,), dtype=np.float32)})


def parallel_env(**kwargs: Any) -> SCMLParallelEnv:
    """PettingZoo-style constructor; runnable with no arguments."""
    return SCMLParallelEnv(**kwargs)


def central_critic_parallel_env(**kwargs: Any) -> SCMLParallelEnv:
    """:class:`SCMLParallelEnv` with the centralised critic's state in every observation."""
    return SCMLParallelEnv(**{**kwargs, "critic_state": True})
