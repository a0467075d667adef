"""The self-play league: PFSP weights, records, snapshots, persistence, the env's draw."""

import numpy as np
import pytest

from experiments.online.league import League, LeagueOpponents


@pytest.fixture
def league(tmp_path):
    return League.create(
        tmp_path / "league.json", ["GreedyStdAgent"], ["PenguinAgent", "AS0"], 2.0, 0.05
    )


def test_pfsp_draws_the_opponents_the_learner_beats_least_most_often(league):
    league.record("GreedyStdAgent", games=20, wins=19, margin_sum=4.0)
    league.record("PenguinAgent", games=20, wins=2, margin_sum=-3.0)
    league.record("AS0", games=20, wins=10, margin_sum=0.1)
    weights = dict(zip([m.name for m in league.members], league.weights(), strict=True))
    assert weights["PenguinAgent"] > weights["AS0"] > weights["GreedyStdAgent"] > 0
    assert np.isclose(sum(weights.values()), 1.0)
    draws = [league.draw(np.random.default_rng(i)).name for i in range(600)]
    assert draws.count("PenguinAgent") > draws.count("AS0") > draws.count("GreedyStdAgent") > 0


def test_an_unplayed_member_counts_as_an_even_match(league):
    assert np.allclose(league.weights(), 1 / 3)


def test_snapshots_join_and_the_oldest_retire(league):
    for i in range(4):
        league.add_snapshot(f"export:/snap/{i}", keep=2)
    snapshots = [m.name for m in league.members if m.kind == "snapshot"]
    assert snapshots == ["export:/snap/2", "export:/snap/3"]
    assert len(league.members) == 5


def test_the_league_survives_a_restart_with_its_statistics(league, tmp_path):
    league.record("AS0", games=3, wins=1, margin_sum=-0.2)
    league.add_snapshot("export:/snap/0", keep=5)
    league.save()
    again = League.create(tmp_path / "league.json", ["other"], [], 1.0, 0.1)  # existing file wins
    assert [m.name for m in again.members] == [m.name for m in league.members]
    assert again.member("AS0").games == 3 and again.member("AS0").wins == 1
    with pytest.raises(KeyError, match="no league member"):
        again.record("nobody", 1, 0, 0.0)


def test_the_envs_draw_follows_the_file_as_the_driver_updates_it(league, tmp_path):
    draw = LeagueOpponents(tmp_path / "league.json")
    rng = np.random.default_rng(0)
    assert draw(rng)[0] in {"GreedyStdAgent", "PenguinAgent", "AS0"}
    league.members = [m for m in league.members if m.name == "AS0"]
    league.save()
    assert {draw(rng)[0] for _ in range(20)} == {"AS0"}


def test_an_empty_league_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least one member"):
        League.create(tmp_path / "league.json", [], [], 2.0, 0.05)
