"""The two stages of the weight-allocation MDP, on one shared series walker.

Stage 1, ``HRLXF/AdvisorWeights-v0``: observe the K advisors' votes (and optionally the market
state), output K logits; their softmax weights the votes, the fused vote decides buy / sell /
hold, the reward is that position's next-bar return net of costs (or its direction accuracy).
Stage 2, ``HRLXF/FusedDecision-v0``: observe the fused vote under a given stage-1 weighting
(equal weights by default, or a trained stage-1 policy) and decide buy / sell / hold directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.allocation.fusion import decide, fuse, position_reward, softmax
from envs.allocation.memory import retrieval_features
from envs.allocation.series import AllocationSeries, build_series, market_bars
from envs.allocation.track_record import track_record
from envs.market.indicators import FEATURE_NAMES

DEFAULT_ADVISORS = ("momentum", "mean_reversion", "macd", "rsi", "volatility_breakout")
OBS_BOUND = 10.0
LOGIT_SCALE = 5.0  # actions in [-1, 1] are logits / 5: weights from uniform to ~e^10 : 1
REWARDS = ("return", "accuracy")


def memory_scale(n_advisors: int) -> np.ndarray:
    """Payoffs and returns in percent; the distance as it is."""
    return np.array([100.0] * (n_advisors + 1) + [1.0])


class SeriesWalker(gym.Env):
    """Walks episodes of ``episode_length`` bars through bars [start, stop) of a series.

    Args:
        advisors: advisor specs (built-in names or ``replay:<csv>``).
        market: where bars come from: ``{"kind": "regime"|"gbm"|"csv", "path":..., "n_bars":..., "seed":...}``.
        start, stop: the bar range episodes may use (a walk-forward split).
        include_market: append the 8 market indicators to the observation.
        memory_k: > 0 appends retrieval-memory features of the k most similar earlier bars
            (envs.allocation.memory; returns in percent).
        track_window: > 0 appends each advisor's track record over that many earlier bars
            (envs.allocation.track_record: how often its calls came true, scaled).
        cost: cost per unit of position change; reward: "return" or "accuracy".
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        advisors: tuple[str, ...] | list[str] = DEFAULT_ADVISORS,
        market: dict[str, Any] | None = None,
        start: int = 0,
        stop: int | None = None,
        episode_length: int = 250,
        include_market: bool = False,
        cost: float = 0.0005,
        reward: str = "return",
        series: AllocationSeries | None = None,
        memory_k: int = 0,
        track_window: int = 0,
    ) -> None:
        if reward not in REWARDS:
            raise ValueError(f"reward must be one of {REWARDS}, got {reward!r}")
        if cost < 0:
            raise ValueError(f"cost must be >= 0, got {cost}")
        full = (
            series
            if series is not None
            else build_series(market_bars(**(market or {})), list(advisors))
        )
        stop = len(full) if stop is None else stop
        if not 0 <= start < stop <= len(full) or stop - start < episode_length + 1:
            raise ValueError(
                f"bar range [{start}, {stop}) of {len(full)} bars cannot hold an episode of {episode_length}"
            )
        self.series = full.slice(start, stop)
        # Retrieval runs over the full series (earlier windows are the past of this one) and
        # only ever looks at strictly earlier bars.
        self.memory = (
            retrieval_features(full, memory_k)[start:stop]
            * memory_scale(self.series.votes.shape[1])
            if memory_k > 0
            else np.zeros((len(self.series), 0))
        )
        self.track = (
            track_record(full, track_window)[start:stop]
            if track_window > 0
            else np.zeros((len(self.series), 0))
        )
        self.episode_length = episode_length
        self.include_market = include_market
        self.cost = cost
        self.reward_kind = reward
        self.n_advisors = self.series.votes.shape[1]
        self._t = self._end = 0
        self._position = 0.0

    def _begin(self) -> None:
        self._t = int(self.np_random.integers(0, len(self.series) - self.episode_length))
        self._end = self._t + self.episode_length
        self._position = 0.0

    def _advance(self, position: float) -> tuple[float, bool, dict[str, float]]:
        ret = float(self.series.next_return[self._t])
        pnl = float(
            position_reward(np.array(position), np.array(self._position), np.array(ret), self.cost)
        )
        reward = pnl if self.reward_kind == "return" else float(np.sign(position) * np.sign(ret))
        info = {"pnl": pnl, "position": position, "turnover": abs(position - self._position)}
        self._position = position
        self._t += 1
        return reward, self._t >= self._end, info

    @staticmethod
    def _clip(obs: np.ndarray) -> np.ndarray:
        return np.clip(np.nan_to_num(obs), -OBS_BOUND, OBS_BOUND).astype(np.float32)


class AdvisorWeightsEnv(SeriesWalker):
    """Stage 1: choose softmax weights over the advisors each bar (action in [-1, 1]^K,
    weights = softmax(5 * action))."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        votes = self.series.votes
        parts = [votes.reshape(len(self.series), -1)]
        if self.include_market:
            parts.append(self.series.market)
        parts += [self.memory, self.track]
        # Precomputed once: the step only indexes (the env must not be PPO's bottleneck).
        self._observations = self._clip(np.concatenate(parts, axis=1))
        self._scaled_votes = votes[:, :, :3] * votes[:, :, 3:4]  # (T, K, 3)
        n_obs = self._observations.shape[1]
        self.observation_space = spaces.Box(-OBS_BOUND, OBS_BOUND, shape=(n_obs,), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(self.n_advisors,), dtype=np.float32)

    def observation_at(self, t: int) -> np.ndarray:
        """The observation of bar t of this env's range."""
        return self._observations[t]

    def position_for(self, t: int, action: np.ndarray) -> float:
        """The position the action would take at bar t."""
        weights = softmax(LOGIT_SCALE * np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0))
        return float(decide(weights @ self._scaled_votes[t]))

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._begin()
        return self._observations[self._t], {}

    def step(self, action: np.ndarray):
        action = np.asarray(action, dtype=np.float32)
        if action.shape != self.action_space.shape or not np.isfinite(action).all():
            raise ValueError(
                f"action must be {self.n_advisors} finite values in [-1, 1], got {action!r}"
            )
        position = self.position_for(self._t, action)
        reward, done, info = self._advance(position)
        return self._observations[self._t], reward, False, done, info


def equal_weights(votes: np.ndarray) -> np.ndarray:
    return np.full(votes.shape[0], 1.0 / votes.shape[0])


DECISIONS = ("absolute", "relative")


class FusedDecisionEnv(SeriesWalker):
    """Stage 2: decide the position from the fused vote.

    ``weighting(t) -> weights (K,)`` is the stage-1 policy's weighting at bar t of this env's
    range (equal weights when None); the observation also carries the market, memory and track
    record features the env was asked for.

    ``decision="absolute"``: actions 0/1/2 are buy / sell / hold. ``"relative"``: they are
    follow the fused vote's own decision (:func:`~envs.allocation.fusion.decide`) / hold /
    go against it, so "do what the weighted advisors say" is one action in every state rather
    than a mapping the learner must find from its observation.
    """

    ACTIONS = (1.0, -1.0, 0.0)  # absolute: buy, sell, hold
    RELATIVE = (1.0, 0.0, -1.0)  # relative: follow, hold, against (times the fused decision)

    def __init__(
        self,
        *args: Any,
        weighting: Callable[[int], np.ndarray] | None = None,
        decision: str = "absolute",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}, got {decision!r}")
        self.decision = decision
        self.weighting = weighting or (lambda t: equal_weights(self.series.votes[t]))
        self._fused_bar, self._fused = -1, np.zeros(4)
        n_obs = 4 + (len(FEATURE_NAMES) if self.include_market else 0)
        n_obs += self.memory.shape[1] + self.track.shape[1]
        self.observation_space = spaces.Box(-OBS_BOUND, OBS_BOUND, shape=(n_obs,), dtype=np.float32)
        self.action_space = spaces.Discrete(3)

    def fused_at(self, t: int) -> np.ndarray:
        """The fused vote at bar t; the last bar's is kept, since observing a bar and acting on it
        both need it and a learned weighting costs a policy call."""
        if t != self._fused_bar:
            self._fused_bar, self._fused = t, fuse(self.series.votes[t], self.weighting(t))
        return self._fused

    def observation_at(self, t: int) -> np.ndarray:
        """The observation of bar t of this env's range."""
        fused = self.fused_at(t)
        market = self.series.market[t] if self.include_market else np.zeros(0)
        return self._clip(np.concatenate([fused, market, self.memory[t], self.track[t]]))

    def _observe(self) -> np.ndarray:
        return self.observation_at(self._t)

    def position_for(self, t: int, action: int) -> float:
        """The position action ``action`` takes at bar t of this env's range."""
        if self.decision == "absolute":
            return self.ACTIONS[int(action)]
        return float(decide(self.fused_at(t))) * self.RELATIVE[int(action)]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._begin()
        return self._observe(), {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action must be 0, 1 or 2 ({self.decision} decision), got {action!r}")
        reward, done, info = self._advance(self.position_for(self._t, action))
        return self._observe(), reward, False, done, info
