"""The seeds every entry point derives stay what they are: the reports' worlds depend on them."""

import pytest

from experiments.common import seeding


def test_derived_seeds_keep_their_values():
    assert seeding.collection_world_seed(0, 5) == 5
    assert seeding.collection_world_seed(2, 5) == 200_011
    assert seeding.online_eval_seeds(1, 3) == [1_500, 1_501, 1_502]
    assert seeding.phase_seed(7, 2) == 9
    assert seeding.eval_env_seed(3) == 10_003
    assert seeding.shard_seed(4, 2) == 2_004
    assert seeding.worker_seed(0, 1) == 1_000
    assert seeding.worker_seed(0, 1, study=2) == 201_000
    assert seeding.split_seed(2, 3) == 2_003
    assert seeding.probe_world_seed(5, 1) == 6
    assert seeding.chain_eval_seeds(3) == [90_000, 90_001, 90_002]
    assert seeding.check_world_seed(2, 1) == 2_001


PINNED_CONFIGS = {
    0: [(0, 1826701614, 146), (1, 1121323793, 184)],  # the evaluation's configurations
    1000: [(1000, 807781861, 110), (1001, 1964397713, 112)],  # the held-out ones
}


@pytest.mark.parametrize("first", sorted(PINNED_CONFIGS))
def test_the_evaluation_configurations_stay_the_same_worlds(first):
    """Configuration k of the balanced evaluation is the same world in every run: its seed and
    length depend only on (spec seed, k)."""
    from experiments.tournament.balanced import BalancedSpec, plan_worlds

    spec = BalancedSpec(
        competitors=("HeuristicStdAgent", "PenguinAgent", "AS0"), n_configs=2, first_config=first
    )
    plans = plan_worlds(spec)
    assert len(plans) == 6
    assert sorted({(p.config, p.seed, p.n_steps) for p in plans}) == PINNED_CONFIGS[first]


def test_a_collection_plays_the_worlds_it_always_played():
    """The collection's world seeds for seed 0 and three experts: one world per group."""
    groups = [index // 3 for index in range(7)]
    assert [seeding.collection_world_seed(0, g) for g in groups] == [0, 0, 0, 1, 1, 1, 2]
