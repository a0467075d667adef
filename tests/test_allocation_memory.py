"""Retrieval memory: agreement with a brute-force search, no look-ahead, env integration."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from envs.allocation import AdvisorWeightsEnv, FusedDecisionEnv
from envs.allocation.memory import retrieval_features, state_vectors
from envs.allocation.series import build_series, market_bars
from tests.market_cases import changed_from

ADVISORS = ["momentum", "mean_reversion", "macd"]


def series_of(bars):
    return build_series(bars, ADVISORS)


def test_features_match_a_brute_force_search_over_earlier_bars():
    series = series_of(market_bars("regime", n_bars=700, seed=1))
    features = retrieval_features(series, k=5)
    states = np.nan_to_num(state_vectors(series))
    direction = series.votes[:, :, 0] - series.votes[:, :, 1]
    for t in (1, 3, 250, 699):
        distance = np.sqrt(((states[:t] - states[t]) ** 2).sum(axis=1))
        nearest = np.argsort(distance, kind="stable")[:5]
        np.testing.assert_allclose(features[t, 3], series.next_return[nearest].mean(), atol=1e-12)
        np.testing.assert_allclose(features[t, 4], distance[nearest].mean(), rtol=1e-6)
        payoff = (direction[nearest] * series.next_return[nearest, None]).mean(axis=0)
        np.testing.assert_allclose(features[t, :3], payoff, atol=1e-12)
    np.testing.assert_array_equal(features[0], 0.0)  # nothing earlier than the first bar
    with pytest.raises(ValueError, match="k must be"):
        retrieval_features(series, 0)


def test_memory_never_looks_ahead():
    bars = market_bars("regime", n_bars=600, seed=2)
    changed = changed_from(bars, 400, 1.3)  # bars < 400 are the same
    a = retrieval_features(series_of(bars), 8)
    b = retrieval_features(series_of(changed), 8)
    np.testing.assert_array_equal(a[:400], b[:400])
    assert not np.array_equal(a[400:], b[400:])


@pytest.mark.parametrize("env_class", [AdvisorWeightsEnv, FusedDecisionEnv])
def test_envs_append_memory_features(env_class):
    plain = env_class(advisors=ADVISORS, market={"n_bars": 800}, episode_length=100)
    with_memory = env_class(
        advisors=ADVISORS, market={"n_bars": 800}, episode_length=100, memory_k=5
    )
    extra = with_memory.observation_space.shape[0] - plain.observation_space.shape[0]
    assert extra == len(ADVISORS) + 2
    check_env(with_memory, skip_render_check=True)
    obs, _ = with_memory.reset(seed=0)
    assert isinstance(
        with_memory.observation_space, gym.spaces.Box
    ) and with_memory.observation_space.contains(obs)
