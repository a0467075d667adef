"""One policy trained at every position: world.learner_process_choices draws the learner's
level at every reset, reproducibly from the reset seed, and the envs say where it played."""

import numpy as np
import pytest

from envs.scml import SCMLDailyEnv
from envs.scml.world_builder import WorldConfig


def test_the_level_is_drawn_from_the_choices_and_replays_from_the_generator():
    config = WorldConfig(n_processes=3, learner_process_choices=[0, 2])
    draws = [config.for_episode(np.random.default_rng(seed)).learner_process for seed in range(40)]
    assert set(draws) == {0, 2}
    again = [config.for_episode(np.random.default_rng(seed)).learner_process for seed in range(40)]
    assert draws == again
    assert WorldConfig().for_episode(np.random.default_rng(0)) == WorldConfig()


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"learner_process_choices": [0, 3]}, "learner_process_choices"),
        ({"learner_process_choices": []}, "learner_process_choices"),
        ({"learner_process_choices": [0], "learner_processes": [1]}, "learner_processes"),
    ],
)
def test_bad_choices_are_refused_by_name(fields, named):
    with pytest.raises(ValueError, match=named):
        WorldConfig(n_processes=3, **fields).validate()


def test_the_daily_env_plays_every_chosen_level_and_reports_its_position(tmp_path):
    env = SCMLDailyEnv(
        world={
            "n_steps": 6,
            "n_processes": 3,
            "agents_per_process": 2,
            "learner_process_choices": [0, 1, 2],
            "log_dir": str(tmp_path),
            "mode": "training",
        },
        horizon=10,
    )
    seen = {}
    for seed in range(12):
        _, info = env.reset(seed=seed)
        seen[info["level"]] = info["position"]
        assert env.session.world.agents[env.learner_id].awi.level == info["level"]
    assert seen == {0: "first", 1: "middle", 2: "last"}
    _, first = env.reset(seed=3)
    _, second = env.reset(seed=3)
    assert first["level"] == second["level"]


def test_the_stage_scores_of_a_bundle_follow_the_drawn_level(tmp_path):
    """The online stages' before/after worlds draw the level too: with one choice, the same
    scores as that level set outright."""
    import torch

    from experiments.online.evaluation import bundle_scores
    from policies.hrl.bundle import BundleConfig, HRLBundle

    torch.manual_seed(0)
    config = BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8)
    HRLBundle(config).save(tmp_path / "bundle")
    world = {"n_steps": 6, "agents_per_process": 2, "mode": "training", "log_dir": str(tmp_path)}
    drawn = bundle_scores(tmp_path / "bundle", {**world, "learner_process_choices": [0]}, 10, [3])
    fixed = bundle_scores(tmp_path / "bundle", {**world, "learner_process": 0}, 10, [3])
    middle = bundle_scores(tmp_path / "bundle", world, 10, [3])
    assert list(drawn) == list(fixed) and list(drawn) != list(middle)
