"""Weight-allocation MDP: advisors, fusion, both stages, no look-ahead, errors."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from gymnasium.utils.env_checker import check_env

from envs.allocation import AdvisorWeightsEnv, FusedDecisionEnv
from envs.allocation.advisors import (
    BUY,
    HOLD,
    RULE_ADVISORS,
    SELL,
    ReplayAdvisor,
    RuleAdvisor,
    make_advisor,
)
from envs.allocation.fusion import decide, fuse, position_reward, softmax
from envs.allocation.scenarios import planted_skill_series
from envs.allocation.series import AllocationSeries, build_series
from envs.allocation.track_record import track_record
from envs.market.bars import Bars
from envs.market.generators import regime_switching_bars

MARKET = {"kind": "regime", "n_bars": 400, "seed": 1}


@pytest.mark.parametrize("include_market", [False, True])
def test_both_stages_pass_check_env(include_market):
    check_env(
        AdvisorWeightsEnv(market=MARKET, episode_length=60, include_market=include_market),
        skip_render_check=True,
    )
    for decision in ("absolute", "relative"):
        check_env(
            FusedDecisionEnv(
                market=MARKET, episode_length=60, include_market=include_market, decision=decision
            ),
            skip_render_check=True,
        )


@pytest.mark.parametrize("name", sorted(RULE_ADVISORS))
def test_rule_votes_never_use_later_bars(name):
    bars, _ = regime_switching_bars(300, seed=2)
    cut = 200
    changed = Bars(bars.timestamp, bars.open, bars.high, bars.low, bars.close.copy(), bars.volume)
    changed.close[cut:] *= 1.5  # rewrite the future
    a, b = RuleAdvisor(name).votes(bars), RuleAdvisor(name).votes(changed)
    np.testing.assert_array_equal(a[:cut], b[:cut])
    assert np.all(a[:, :3].sum(axis=1) == 1) and np.all((a[:, 3] >= 0) & (a[:, 3] <= 1))


def test_replay_votes_are_as_of_and_validated(tmp_path):
    path = tmp_path / "votes.csv"
    pd.DataFrame({"timestamp": [3, 7], "vote": ["buy", "sell"], "confidence": [0.9, 0.4]}).to_csv(
        path, index=False
    )
    bars, _ = regime_switching_bars(10, seed=0)
    votes = make_advisor(f"replay:{path}").votes(bars)
    assert votes[2, HOLD] == 1 and votes[2, 3] == 0  # nothing known yet
    assert votes[3, BUY] == 1 and votes[6, BUY] == 1 and votes[6, 3] == pytest.approx(0.9)
    assert votes[7, SELL] == 1 and votes[9, 3] == pytest.approx(0.4)
    pd.DataFrame({"timestamp": [1], "vote": ["maybe"], "confidence": [0.5]}).to_csv(
        path, index=False
    )
    with pytest.raises(ValueError, match="vote must be buy, sell or hold; row 0 is 'maybe'"):
        ReplayAdvisor(path)
    pd.DataFrame({"timestamp": [1], "vote": ["buy"], "confidence": [1.5]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="confidence must be a number in \\[0, 1\\]"):
        ReplayAdvisor(path)
    with pytest.raises(ValueError, match="unknown advisor 'oracle'"):
        make_advisor("oracle")


def test_fusion_and_decision_on_hand_made_votes():
    votes = np.array([[1, 0, 0, 1.0], [0, 1, 0, 0.5], [0, 0, 1, 1.0]])
    fused = fuse(votes, np.array([0.5, 0.25, 0.25]))
    np.testing.assert_allclose(fused, [0.5, 0.125, 0.25, 0.875])
    assert decide(fused) == 1.0
    assert decide(fuse(votes, np.array([0.0, 1.0, 0.0]))) == -1.0
    np.testing.assert_allclose(softmax(np.zeros(3)), np.full(3, 1 / 3))
    np.testing.assert_allclose(
        position_reward(np.array(1.0), np.array(-1.0), np.array(0.01), 0.001), 0.01 - 0.002
    )


def hand_made_series(n=12):
    """Advisor 0 always votes buy, advisor 1 always sell (full confidence); returns alternate."""
    votes = np.zeros((n, 2, 4))
    votes[:, 0, BUY] = votes[:, 1, SELL] = 1.0
    votes[:, :, 3] = 1.0
    next_return = np.where(np.arange(n) % 2 == 0, 0.01, -0.02)
    return AllocationSeries(votes, next_return, np.zeros((n, 8)), ("always_buy", "always_sell"))


def test_stage_one_position_follows_the_weighted_advisor_and_pays_costs():
    env = AdvisorWeightsEnv(series=hand_made_series(), episode_length=5, cost=0.001)
    env.reset(seed=0)
    t = env._t
    _, reward, _, _, info = env.step(np.array([1.0, -1.0], np.float32))  # trust the buyer
    assert info["position"] == 1.0
    assert reward == pytest.approx(env.series.next_return[t] - 0.001)  # opening costs 1 unit
    _, reward, _, _, info = env.step(np.array([-1.0, 1.0], np.float32))  # switch to the seller
    assert info["position"] == -1.0 and info["turnover"] == 2.0
    assert reward == pytest.approx(-env.series.next_return[t + 1] - 0.002)


def test_stage_two_uses_the_given_weighting_and_accuracy_reward():
    chosen = []

    def only_first(t):
        chosen.append(t)
        w = np.zeros(5)
        w[0] = 1.0
        return w

    env = FusedDecisionEnv(
        market=MARKET, episode_length=50, weighting=only_first, reward="accuracy"
    )
    obs, _ = env.reset(seed=3)
    assert chosen == [env._t]  # asked for the weighting of the bar it observes
    np.testing.assert_allclose(
        obs[:3], env.series.votes[env._t, 0, :3] * env.series.votes[env._t, 0, 3]
    )
    _, reward, *_ = env.step(0)
    assert reward in (-1.0, 0.0, 1.0)


def test_relative_stage_two_follows_holds_or_goes_against_the_fused_decision():
    def only_first(t):
        w = np.zeros(5)
        w[0] = 1.0
        return w

    kwargs = {"market": MARKET, "episode_length": 50, "weighting": only_first}
    env = FusedDecisionEnv(decision="relative", **kwargs)
    votes = env.series.votes[:, 0]
    fused_side = np.select([votes[:, 0] == 1, votes[:, 1] == 1], [1.0, -1.0], 0.0)
    assert set(fused_side) >= {1.0, -1.0}  # the advisor calls both ways in this window
    for t in range(40):
        assert env.position_for(t, 0) == fused_side[t]
        assert env.position_for(t, 1) == 0.0
        assert env.position_for(t, 2) == -fused_side[t]
    absolute = FusedDecisionEnv(**kwargs)
    assert [absolute.position_for(t, a) for t in (0, 1) for a in (0, 1, 2)] == [1, -1, 0] * 2
    env.reset(seed=3)
    t = env._t
    _, reward, *_ = env.step(0)
    assert reward == pytest.approx(
        fused_side[t] * env.series.next_return[t] - env.cost * abs(fused_side[t])
    )
    with pytest.raises(ValueError, match="decision must be one of"):
        FusedDecisionEnv(decision="inverse", **kwargs)


def test_walk_forward_ranges_and_bad_inputs():
    series = build_series(regime_switching_bars(500, seed=0)[0], ["momentum", "rsi"])
    env = AdvisorWeightsEnv(series=series, start=300, stop=500, episode_length=100)
    env.reset(seed=0)
    assert len(env.series) == 200
    with pytest.raises(ValueError, match="cannot hold an episode"):
        AdvisorWeightsEnv(series=series, start=450, episode_length=100)
    with pytest.raises(ValueError, match="reward must be one of"):
        AdvisorWeightsEnv(series=series, reward="sharpe")
    with pytest.raises(ValueError, match="action must be 2 finite values"):
        env.step(np.array([np.nan, 0.0], np.float32))


def test_replayed_votes_with_dates_align_with_dated_bars(tmp_path):
    """Bars and votes stamped with dates share one clock (UTC nanoseconds), whatever the
    resolution pandas parses them to."""
    from envs.market.bars import load_bars

    days = pd.date_range("2024-03-01", periods=6, freq="D")
    pd.DataFrame(
        {"Date": days, "Open": 10.0, "High": 11.0, "Low": 9.0, "Close": 10.0, "Volume": 5.0}
    ).to_csv(tmp_path / "bars.csv", index=False)
    pd.DataFrame(
        {
            "timestamp": ["2024-03-02", "2024-03-04T01:00:00+01:00"],  # = 2024-03-04 00:00 UTC
            "vote": ["buy", "sell"],
            "confidence": [0.8, 0.6],
        }
    ).to_csv(tmp_path / "votes.csv", index=False)
    votes = make_advisor(f"replay:{tmp_path / 'votes.csv'}").votes(load_bars(tmp_path / "bars.csv"))
    assert votes[0, HOLD] == 1 and votes[1, BUY] == 1 and votes[2, BUY] == 1
    assert votes[3, SELL] == 1 and votes[5, SELL] == 1


def test_track_record_is_causal_and_shows_the_planted_skill():
    series = planted_skill_series((0.55, 0.5), n_bars=20_000, seed=5)
    record = track_record(series, window=250)
    # An advisor right a fraction p of the time shows (2p - 1) x TRACK_SCALE on average: about 1
    # for the planted 55% (its realized rate here), about 0 for the coin flip.
    up = series.next_return[:-1] > 0
    right = ((series.votes[:-1, :, 0] == 1) == up[:, None]).mean(axis=0)
    np.testing.assert_allclose(record[250:].mean(axis=0), 10.0 * (2 * right - 1), atol=0.03)
    assert record[250:, 0].mean() > 0.7 and abs(record[250:, 1].mean()) < 0.3
    assert np.all(record[0] == 0.0)
    # Bar t's record only uses returns up to bar t - 1: changing later returns changes nothing.
    flipped = np.where(np.arange(20_000) >= 700, -series.next_return, series.next_return)
    changed = track_record(replace(series, next_return=flipped), 250)
    np.testing.assert_array_equal(changed[:701], record[:701])
    assert not np.array_equal(changed[701], record[701])
    with pytest.raises(ValueError, match="window"):
        track_record(series, 0)


def test_both_stages_observe_the_track_record_when_asked():
    series = planted_skill_series((0.55, 0.5, 0.5), n_bars=1000, seed=1)
    plain = AdvisorWeightsEnv(series=series, episode_length=100)
    tracked = AdvisorWeightsEnv(series=series, start=200, episode_length=100, track_window=50)
    assert tracked.observation_space.shape[0] == plain.observation_space.shape[0] + 3
    np.testing.assert_allclose(tracked.observation_at(10)[-3:], track_record(series, 50)[210])
    stage2 = FusedDecisionEnv(series=series, start=200, episode_length=100, track_window=50)
    assert stage2.observation_space.shape == (4 + 3,)
    np.testing.assert_allclose(stage2.observation_at(10)[-3:], track_record(series, 50)[210])
    check_env(tracked, skip_render_check=True)
    check_env(stage2, skip_render_check=True)
