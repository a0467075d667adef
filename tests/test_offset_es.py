"""experiments.online.offset_es: antithetic ES over one level's goal offsets, paired per world."""

import json

import numpy as np
import pytest
import torch

from experiments.online.evaluation import bundle_scores, world_at_level
from experiments.online.offset_es import antithetic_gradient, negotiated_entries, offset_es
from policies.hrl.bundle import HRLBundle
from tests.online_cases import SHIPPED


def test_the_estimate_is_the_gradient_of_a_linear_score():
    """For a linear score the antithetic difference is exact: with orthonormal directions the
    estimate is the gradient itself, and with random ones it points the gradient's way."""
    w = np.array([0.3, -1.0, 0.0, 2.0])
    score = lambda theta: theta @ w  # noqa: E731
    sigma = 0.1
    eps = np.eye(4) * 2.0  # 4 directions, norm sqrt(n) each as standard normals have
    estimate = antithetic_gradient(score(sigma * eps), score(-sigma * eps), eps, sigma)
    np.testing.assert_allclose(estimate, w)
    eps = np.random.default_rng(0).standard_normal((64, 4))
    estimate = antithetic_gradient(score(sigma * eps), score(-sigma * eps), eps, sigma)
    assert estimate @ w / (np.linalg.norm(estimate) * np.linalg.norm(w)) > 0.9
    with pytest.raises(ValueError, match="need eps"):
        antithetic_gradient(np.zeros(3), np.zeros(3), eps, sigma)


def test_each_level_moves_the_entries_it_negotiates():
    # bucket-major goal: entry b * 4 + (Q_BUY, P_BUY, Q_SELL, P_SELL)
    assert negotiated_entries(0).tolist() == [2, 3, 6, 7, 10, 11, 14, 15]  # sells only
    assert negotiated_entries(1).tolist() == list(range(16))
    assert negotiated_entries(2).tolist() == [0, 1, 4, 5, 8, 9, 12, 13]  # buys only
    with pytest.raises(ValueError, match="level must be 0, 1 or 2"):
        negotiated_entries(3)


@pytest.mark.slow
def test_a_search_pairs_its_worlds_and_moves_its_level_only(tmp_path, small_world):
    """The start's score in each world is its score there outside the search (exact replay);
    the final bundle differs from the start in the level's negotiated offsets only, by the
    recorded step; the history and the iteration's bundle are written."""
    world = {**small_world, "n_steps": 4, "opponents": ["GreedyStdAgent"], "mode": "training"}
    out = tmp_path / "es"
    report = offset_es(
        SHIPPED, 2, world, 40, out, iterations=1, pairs=2, sigma=0.5, lr=5.0,
        max_step=10.0, first_seed=7, seed=0, processes=1,
    )  # fmt: skip
    (record,) = report["history"]
    assert record["seeds"] == [7, 8]
    alone = bundle_scores(SHIPPED, world_at_level(world, 2), 40, [7, 8])
    np.testing.assert_array_equal(record["start"], alone)
    assert record["plus"] != record["minus"]  # the perturbation changed the level's play
    start = HRLBundle.load(SHIPPED).state_dict()
    final = HRLBundle.load(out / "final").state_dict()
    offset = final.pop("manager.goal_offset")
    eps = np.array(record["eps"])  # the directions, so the estimate can be recomputed
    np.testing.assert_allclose(
        record["gradient_norm"],
        np.linalg.norm(antithetic_gradient(record["plus"], record["minus"], eps, 0.5)),
    )
    moved = torch.zeros(16)
    moved[negotiated_entries(2)] = torch.tensor(record["step"]).float()
    torch.testing.assert_close(offset[2], moved)
    assert torch.all(offset[:2] == 0)
    assert all(torch.equal(value, start[key]) for key, value in final.items())
    assert HRLBundle.load(out / "iteration_0").manager.goal_offset.abs().sum() == 0
    assert json.loads((out / "offset_es.json").read_text())["final"] == report["final"]
    assert not (out / "iteration_0_perturbed").exists()  # the perturbed bundles are removed
