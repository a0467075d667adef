"""The expert-consistency probe: a ceiling on imitating an expert's answers."""

import pytest

from envs.scml.opponents import resolve_agent
from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from experiments.collect.expert_consistency import probe, probing_class


def final_scores(kind: type, tmp_path) -> dict[str, float]:
    config = WorldConfig(n_steps=6, n_learners=2, log_dir=str(tmp_path / "worlds"))
    session = WorldSession(config, kind, seed=5, horizon=10)
    while not session.done:
        session.step_day()
    return session.scores()


def test_probing_does_not_change_the_world_the_expert_plays(tmp_path):
    expert = resolve_agent("PenguinAgent")
    assert final_scores(probing_class(expert, samples=4), tmp_path) == final_scores(
        expert, tmp_path
    )


def test_a_random_expert_has_a_ceiling_below_one_a_deterministic_one_exactly_one(tmp_path):
    penguin = probe("PenguinAgent", worlds=1, samples=6, n_steps=8, out=tmp_path)
    assert penguin["answers"] > 20 and 0.5 < penguin["accuracy_ceiling"] < 1.0
    assert penguin["deterministic_share"] < 1.0
    ours = probe("HeuristicStdAgent", worlds=1, samples=3, n_steps=8, out=tmp_path)
    assert ours["answers"] > 20 and ours["accuracy_ceiling"] == 1.0


def test_only_sync_experts_can_be_probed_and_bad_counts_are_refused(tmp_path):
    with pytest.raises(ValueError, match="counter_all"):
        probing_class(resolve_agent("GreedyStdAgent"), samples=3)
    with pytest.raises(ValueError, match="samples"):
        probe("PenguinAgent", worlds=1, samples=1, n_steps=8, out=tmp_path)
