"""Hierarchical calibration as a PettingZoo ParallelEnv.

A portfolio runs two engines on one instrument: a slow engine whose position is the
beta-weighted, threshold-gated sum of the z-scored factors (chip/flow, sentiment, value), and a
fast engine (short-window net cost line). Agents:

- ``supervisor`` (acts every ``supervisor_period`` bars; actions in between are ignored): capital
  share of the slow engine and leverage. Reward at the end of each of its periods:
  Sharpe_W - mdd_penalty * MDD_W(%) - period costs(%) over the trailing W bars.
- ``factor_<name>`` (one per factor, acts every bar): beta and threshold adjustments of its
  factor. Reward: orthogonality 1 / (1 + mean |corr_W(own contribution, other contributions)|)
  minus the residual penalty of its own prediction, (|r - r_hat_k| - |r|) / sigma: the seed's
  residual penalty measured against predicting nothing, so that a factor is not paid for
  silence (a plain |residual| is smallest with every beta at 0).

Observations hold regime features (volatility z-score, trend, volatility level) and only what is
known at the bar: the bar's factors and the residuals and PnL of earlier bars.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from envs.allocation.calibration_series import (
    WARMUP_BARS,
    CalibrationSeries,
    build_calibration_series,
)
from envs.allocation.series import market_bars
from envs.market.metrics import max_drawdown
from envs.market.rolling import window_corr

OBS_BOUND = 10.0
SUPERVISOR = "supervisor"
BETA_STEP, THRESHOLD_STEP, MAX_THRESHOLD = 0.1, 0.25, 2.5
MIN_LEVERAGE, MAX_LEVERAGE = 0.5, 2.0
# Predicted log return per unit of gated factor z, in units of sigma: a factor's beta is then its
# return coefficient, and the residual penalty is smallest at the beta the factor's predictive
# power supports (about its correlation with r / sigma; 0 for noise). At 0.1 the penalty's slope
# in beta was too flat to learn: betas of planted and noise factors ended where the seed put them.
RETURN_PER_Z = 1.0
SUPERVISOR_OBS, FACTOR_OBS = 11, 10


class CalibrationParallelEnv(ParallelEnv):
    metadata = {"name": "hrlxf_calibration_v0", "render_modes": []}

    def __init__(
        self,
        market: dict[str, Any] | None = None,
        start: int = 0,
        stop: int | None = None,
        episode_length: int = 250,
        supervisor_period: int = 5,
        stats_window: int = 30,
        cost: float = 0.0005,
        mdd_penalty: float = 0.5,
        initial_beta: float = 0.5,
        initial_threshold: float = 0.5,
        series: CalibrationSeries | None = None,
    ) -> None:
        if supervisor_period < 1 or stats_window < 5 or cost < 0 or mdd_penalty < 0:
            raise ValueError(
                f"need supervisor_period >= 1, stats_window >= 5, cost >= 0, mdd_penalty >= 0; got {supervisor_period}, {stats_window}, {cost}, {mdd_penalty}"
            )
        if not (0.0 <= initial_beta <= 1.0 and 0.0 <= initial_threshold <= MAX_THRESHOLD):
            raise ValueError(
                f"initial_beta must be in [0, 1] and initial_threshold in [0, {MAX_THRESHOLD}]"
            )
        self.series = (
            series
            if series is not None
            else build_calibration_series(market_bars(**(market or {})))
        )
        stop = len(self.series) - 1 if stop is None else min(stop, len(self.series) - 1)
        self.first_bar = max(start, WARMUP_BARS)
        if stop - self.first_bar < episode_length:
            raise ValueError(
                f"bars [{self.first_bar}, {stop}) hold fewer than episode_length={episode_length} bars (the first {WARMUP_BARS} bars are warm-up)"
            )
        self.stop_bar, self.episode_length = stop, episode_length
        self.period, self.window, self.cost, self.mdd_penalty = (
            supervisor_period,
            stats_window,
            cost,
            mdd_penalty,
        )
        self.initial_beta, self.initial_threshold = initial_beta, initial_threshold
        self.factor_names = self.series.factor_names
        self.possible_agents = [SUPERVISOR, *(f"factor_{n}" for n in self.factor_names)]
        self.agents: list[str] = []
        self._rng = np.random.default_rng()

    @functools.cache  # noqa: B019 - one space object per agent, as PettingZoo expects
    def observation_space(self, agent: str) -> spaces.Box:
        size = SUPERVISOR_OBS if agent == SUPERVISOR else FACTOR_OBS
        return spaces.Box(-OBS_BOUND, OBS_BOUND, shape=(size,), dtype=np.float32)

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> spaces.Box:
        return spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)

    # --- episode ---------------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None):
        """``options``: {"start_bar": b, "length": n} walks bars [b, b + n) (evaluation);
        by default a random window of ``episode_length`` bars."""
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        options = options or {}
        length = int(options.get("length", self.episode_length))
        last_start = self.stop_bar - length
        start = (
            int(options["start_bar"])
            if "start_bar" in options
            else int(self._rng.integers(self.first_bar, last_start + 1))
        )
        if not self.first_bar <= start <= last_start:
            raise ValueError(
                f"start_bar {start} with length {length} leaves bars [{self.first_bar}, {self.stop_bar})"
            )
        n_factors = len(self.factor_names)
        self._start, self._length, self._t = start, length, 0
        self.beta = np.full(n_factors, self.initial_beta)
        self.threshold = np.full(n_factors, self.initial_threshold)
        self.slow_share, self.leverage, self.position = 0.5, 1.0, 0.0
        self.history = {
            key: np.zeros((length, n_factors) if key == "contribution" else length)
            for key in (
                "pnl",
                "residual",
                "normalized_return",
                "slow",
                "fast",
                "cost",
                "contribution",
            )
        }
        self.agents = list(self.possible_agents)
        return self._observe(), {a: {} for a in self.agents}

    @property
    def bar(self) -> int:
        return self._start + self._t

    def _recent(self, key: str, window: int | None = None) -> np.ndarray:
        return self.history[key][max(0, self._t - (window or self.window)) : self._t]

    def _cross_corr(self) -> np.ndarray:
        """Mean |corr| of each factor's recent contributions with the other factors', less the
        mean |corr| of independent series of that length (sqrt(2 / (pi (n - 1)))), floored at 0:
        a raw |corr| over 30 bars averages ~0.15 for unrelated series, which made every active
        factor look correlated and paid silence (a constant contribution has corr 0)."""
        recent = self._recent("contribution")
        n = recent.shape[1]
        corr = np.array(
            [
                [abs(window_corr(recent[:, i], recent[:, j])) if i != j else 0.0 for j in range(n)]
                for i in range(n)
            ]
        )
        chance = np.sqrt(2.0 / (np.pi * max(len(recent) - 1, 1)))
        return np.maximum(corr.sum(axis=1) / max(n - 1, 1) - chance, 0.0)

    def _sharpe_mdd(self) -> tuple[float, float]:
        pnl = self._recent("pnl")
        std = pnl.std() if len(pnl) > 1 else 0.0
        sharpe = float(pnl.mean() / std * np.sqrt(252.0)) if std > 0 else 0.0
        return sharpe, 100.0 * max_drawdown(pnl)

    def _observe(
        self, cross: np.ndarray | None = None, sharpe_mdd: tuple[float, float] | None = None
    ) -> dict[str, np.ndarray]:
        """Observations at the current bar; ``cross`` / ``sharpe_mdd`` if the step has them already."""
        s, i = self.series, self.bar
        sharpe, mdd = sharpe_mdd if sharpe_mdd is not None else self._sharpe_mdd()
        cross = cross if cross is not None else self._cross_corr()
        regime = s.regime[i]
        supervisor = np.concatenate(
            [
                [sharpe / 5.0, mdd / 10.0],
                regime,
                [cross.mean(), window_corr(self._recent("slow"), self._recent("fast"))],
                [
                    self.slow_share,
                    self.leverage - 1.0,
                    (self._t % self.period) / self.period,
                    float(self._t % self.period == 0),
                ],
            ]
        )
        residual = self._recent("residual")
        obs = {SUPERVISOR: supervisor}
        for k, name in enumerate(self.factor_names):
            own_z = s.scores[max(i - len(residual), 0) : i, k]
            factor_return = self._recent("normalized_return") * np.sign(own_z)
            obs[f"factor_{name}"] = np.concatenate(
                [
                    [s.scores[i, k], self.threshold[k], self.beta[k]],
                    [
                        window_corr(own_z, residual),
                        factor_return.mean() if len(factor_return) else 0.0,
                    ],
                    [self._recent("residual", 7).mean() / s.sigma[i] if self._t else 0.0, cross[k]],
                    regime,
                ]
            )
        return {
            a: np.clip(np.nan_to_num(o), -OBS_BOUND, OBS_BOUND).astype(np.float32)
            for a, o in obs.items()
        }

    # --- dynamics --------------------------------------------------------------------------
    def _check(self, actions: dict[str, Any]) -> dict[str, np.ndarray]:
        missing = sorted(set(self.agents) - set(actions))
        if missing:
            raise ValueError(f"step() needs an action for every live agent; missing {missing}")
        checked = {}
        for agent in self.agents:
            action = np.asarray(actions[agent], dtype=np.float32).reshape(-1)
            if action.shape != (2,) or not np.isfinite(action).all():
                raise ValueError(
                    f"action of {agent} must be 2 finite values in [-1, 1], got {actions[agent]!r}"
                )
            checked[agent] = np.clip(action, -1.0, 1.0)
        return checked

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            raise RuntimeError("call reset() before step(); the episode may be over")
        acts = self._check(actions)
        s, i, t = self.series, self.bar, self._t
        for k, name in enumerate(self.factor_names):
            delta_beta, delta_threshold = acts[f"factor_{name}"]
            self.beta[k] = np.clip(self.beta[k] + BETA_STEP * delta_beta, 0.0, 1.0)
            self.threshold[k] = np.clip(
                self.threshold[k] + THRESHOLD_STEP * delta_threshold, 0.0, MAX_THRESHOLD
            )
        if t % self.period == 0:
            share, leverage = acts[SUPERVISOR]
            self.slow_share = float((share + 1.0) / 2.0)
            self.leverage = float(
                MIN_LEVERAGE + (leverage + 1.0) / 2.0 * (MAX_LEVERAGE - MIN_LEVERAGE)
            )
        z = s.scores[i]
        contribution = self.beta * np.where(np.abs(z) > self.threshold, z, 0.0)
        slow = float(np.clip(contribution.sum(), -1.0, 1.0))
        fast = float(s.fast_signal[i])
        position = self.leverage * (self.slow_share * slow + (1.0 - self.slow_share) * fast)
        r, sigma = float(s.next_return[i]), float(s.sigma[i])
        cost = self.cost * abs(position - self.position)
        pnl = position * r - cost
        predicted = RETURN_PER_Z * sigma * contribution
        h = self.history
        h["pnl"][t], h["cost"][t], h["slow"][t], h["fast"][t] = pnl, cost, slow, fast
        h["residual"][t], h["normalized_return"][t] = r - predicted.sum(), r / sigma
        h["contribution"][t] = contribution
        self.position = position
        self._t += 1
        # computed once: the rewards and the next observations share them
        cross, (sharpe, mdd) = self._cross_corr(), self._sharpe_mdd()
        rewards = {}
        for k, name in enumerate(self.factor_names):
            residual_penalty = (abs(r - predicted[k]) - abs(r)) / sigma
            rewards[f"factor_{name}"] = float(1.0 / (1.0 + cross[k]) - residual_penalty)
        done = self._t >= self._length
        period_closed = self._t % self.period == 0 or done
        if period_closed:
            period_cost = 100.0 * self._recent("cost", (self._t - 1) % self.period + 1).sum()
            rewards[SUPERVISOR] = sharpe - self.mdd_penalty * mdd - period_cost
        else:
            rewards[SUPERVISOR] = 0.0
        info = {
            "pnl": pnl,
            "position": position,
            "slow_share": self.slow_share,
            "leverage": self.leverage,
            "beta": self.beta.copy(),
            "threshold": self.threshold.copy(),
        }
        agents = self.agents
        out = (
            self._observe(cross, (sharpe, mdd))
            if not done
            else {a: self._final_observation(a) for a in agents},
            {a: rewards[a] for a in agents},
            {a: False for a in agents},
            {a: done for a in agents},
            {a: dict(info) for a in agents},
        )
        if done:
            self.agents = []
        return out

    def _final_observation(self, agent: str) -> np.ndarray:
        """At the episode's end there is no next bar to observe: zeros of the agent's shape."""
        return np.zeros(self.observation_space(agent).shape, dtype=np.float32)


def calibration_parallel_env(**kwargs: Any) -> CalibrationParallelEnv:
    """PettingZoo-style constructor; runnable with no arguments (synthetic regime series)."""
    return CalibrationParallelEnv(**kwargs)
