"""SCMLDailyEnv: one step is one simulated day; the action is the L2 goal."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.scml.config import world_config
from envs.scml.daily_control import (
    apply_goal,
    check_goal_action,
    executor_params,
    reference_action,
)
from envs.scml.reward import SHAPING_DEFAULT, RewardTracker
from envs.scml.session import LearnerView, WorldSession, world_seed_from
from envs.scml.state_builder import observation_space
from envs.scml.world_builder import WorldConfig
from policies.decision.agent import ExecutorStdAgent
from policies.decision.executor import Executor
from policies.l2_goal import GOAL_DIM, GoalCodec


class SCMLDailyEnv(gym.Env):
    """A learner factory in an SCML std world, deciding its daily goal.

    Observation: ``{"x_static": (12,), "X_temporal": (H+1, 10), "x_role": (2,)}``.
    Action: the 16-value L2 goal in [-1, 1] (see :class:`policies.l2_goal.GoalCodec`); the
    executor's L3/L4 carry the day's negotiations out under the L1 shield.
    Reward: the day's score change (+ optional potential-based shaping, reported in ``info``).
    With ``twin_baseline`` the same reward of a twin world is subtracted: the same seeded world
    in which the learner's executor sets its own goals. The twin cannot see the actions, so
    the expected policy gradient is unchanged (a baseline), while whatever the two worlds share
    (exogenous contracts, the rivals' draws) cancels: common random numbers. It doubles the
    simulation per step; ``info`` then also has ``twin_score`` and ``twin_reward``.
    ``info["reference_action"]``: the goal the executor would set itself (normalized).

    Args:
        world: world options (:class:`WorldConfig` fields) or a WorldConfig.
        horizon: H of the shield and the observation.
        reward_shaping: add gamma * phi(s') - phi(s) to the reward.
        shaping_gamma: the shaping discount.
        executor: who carries out the day (an :class:`Executor`, a ``module:Class`` path or a
            ``{"_target_": path, ...}`` mapping); default the heuristic executor.
        agent_params: extra constructor arguments of the learner's ExecutorStdAgent.
        twin_baseline: subtract the reward of the twin world (see above).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        world: WorldConfig | dict[str, Any] | None = None,
        horizon: int = 40,
        reward_shaping: bool = SHAPING_DEFAULT,
        shaping_gamma: float = 0.99,
        executor: Executor | str | dict | None = None,
        agent_params: dict[str, Any] | None = None,
        twin_baseline: bool = False,
    ) -> None:
        if horizon < 1:
            raise ValueError(f"horizon must be >= 1, got {horizon}")
        self.world_config = world_config(world)
        self.horizon = horizon
        self.codec = GoalCodec(horizon)
        self.agent_params = {**executor_params(executor, horizon), **(agent_params or {})}
        self.rewards = RewardTracker(shaping=reward_shaping, gamma=shaping_gamma)
        self.shaping_gamma = shaping_gamma
        self.observation_space = observation_space(horizon)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(GOAL_DIM,), dtype=np.float32)
        self.twin_baseline = twin_baseline
        self.twin_rewards = RewardTracker(shaping=reward_shaping, gamma=shaping_gamma)
        self.session: WorldSession | None = None
        self.twin: WorldSession | None = None
        self.learner_id = ""
        self.learner_level = self.world_config.learner_process

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        world_seed = world_seed_from(self.np_random, options)
        episode = self.world_config.for_episode(self.np_random)
        self.learner_level = episode.learner_process
        self.session = self._session(episode, world_seed)
        self.learner_id = self.session.learner_ids[0]
        view = self.session.view(self.learner_id)
        self.rewards.reset(view.score, view.potential)
        if self.twin_baseline:
            self.twin = self._session(episode, world_seed)
            twin_view = self.twin.view(self.twin.learner_ids[0])
            self.twin_rewards.reset(twin_view.score, twin_view.potential)
        return view.observation, self._info(view)

    def _session(self, episode: WorldConfig, world_seed: int) -> WorldSession:
        return WorldSession(
            episode,
            ExecutorStdAgent,
            world_seed,
            self.horizon,
            per_round=False,
            learner_params=self.agent_params,
            shaping_gamma=self.shaping_gamma,
        )

    def step(self, action: np.ndarray):
        if self.session is None:
            raise RuntimeError("call reset() before step()")
        if self.session.done:
            raise RuntimeError("the episode is over; call reset()")
        action = check_goal_action(self.action_space, action)
        apply_goal(self.session, self.learner_id, self.codec, action)
        self.session.step_day()
        view = self.session.view(self.learner_id)
        reward, parts = self.rewards.step(view.score, view.potential, self.session.done)
        if self.twin is not None:
            reward -= self._step_twin(parts)
        return view.observation, reward, self.session.done, False, {**self._info(view), **parts}

    def _step_twin(self, parts: dict[str, float]) -> float:
        """Run the twin's day (its executor sets its own goal); its reward, noted in ``parts``."""
        assert self.twin is not None
        self.twin.step_day()
        twin_view = self.twin.view(self.twin.learner_ids[0])
        twin_reward, _ = self.twin_rewards.step(
            twin_view.score, twin_view.potential, self.twin.done
        )
        parts["twin_score"], parts["twin_reward"] = twin_view.score, twin_reward
        return twin_reward

    def _info(self, view: LearnerView) -> dict[str, Any]:
        assert self.session is not None
        info = {
            "day": self.session.world.current_step,
            "score": view.score,
            "potential": view.potential,
            "agent_id": self.learner_id,
            "level": self.learner_level,
            "position": self.world_config.position(self.learner_level),
        }
        if not self.session.done:
            info["reference_action"] = reference_action(
                self.session, self.learner_id, self.codec, view
            )
        return info
