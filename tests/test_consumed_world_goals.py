"""Once a world is seen to consume its raw stock, an export's day goal comes from its fallback's
planner at the positions its ``consumed_world_goals`` names (``fallback_at_middle``, the default:
the middle level only; ``fallback``: every level) while L3/L4 still decide the threads; with
``learned`` L2 plans there too."""

import json

import numpy as np
import pytest
import torch

from baselines.heuristic.executor import HeuristicExecutor
from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from experiments.export import export_agent, load_agent_class
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.executor import LearnedExecutor
from policies.shield import StockAccounting
from tests.shield_cases import make_day, make_market, make_state


@pytest.fixture(scope="module")
def bundle():
    torch.manual_seed(0)
    return HRLBundle(BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8))


class CountingPlanner(HeuristicExecutor):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def plan(self, day):
        self.calls += 1
        return super().plan(day)


@pytest.mark.parametrize("level", ["first", "middle", "last"])
def test_the_planner_sets_the_goal_only_where_the_stock_was_seen_falling(bundle, level):
    planner = CountingPlanner()
    learned = LearnedExecutor(bundle)
    guarded = LearnedExecutor(bundle, consumed_world_planner=planner)
    elsewhere = LearnedExecutor(
        bundle,
        consumed_world_planner=planner,
        consumed_world_positions=tuple({"first", "middle", "last"} - {level}),
    )
    state = make_state(inventory_input=4.0, current_step=5)
    scml_day = make_day(state, make_market(level))
    consumed_day = make_day(state, make_market(level), StockAccounting.CONSUMED)

    np.testing.assert_array_equal(guarded.plan(scml_day), learned.plan(scml_day))
    assert planner.calls == 0
    np.testing.assert_array_equal(
        guarded.plan(consumed_day), HeuristicExecutor().plan(consumed_day)
    )
    assert planner.calls == 1
    # without a planner, or at a position the planner does not cover, L2 plans in either world
    np.testing.assert_array_equal(learned.plan(consumed_day), learned.plan(scml_day))
    np.testing.assert_array_equal(elsewhere.plan(consumed_day), learned.plan(scml_day))
    assert planner.calls == 1


def test_unknown_positions_are_refused(bundle):
    with pytest.raises(ValueError, match="unknown \\['centre'\\]"):
        LearnedExecutor(bundle, consumed_world_positions=("middle", "centre"))


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory, bundle):
    root = tmp_path_factory.mktemp("consumed_goals")
    bundle.save(root / "checkpoint", extra={"stage": "bc"})
    return root / "checkpoint"


def play_consumed_world(agent_class, tmp_path, n_steps=12, level=1):
    config = WorldConfig(
        n_steps=n_steps,
        agents_per_process=3,
        learner_process=level,
        opponents=["GreedyStdAgent", "SyncRandomStdAgent"],
        log_dir=str(tmp_path / "worlds"),
        stock_accounting="consumed",
    )
    session = WorldSession(config, agent_class, seed=3, horizon=10)
    agent = session.agent(session.learner_ids[0])
    # As if it had seen its stock fall already (an untrained network may never trade enough
    # for that in a short world); the flag only ever turns on.
    agent.stock_accounting = type(agent.stock_accounting).CONSUMED
    goals = []
    while not session.done:
        session.step_day()
        goals.append((agent.goal.copy(), agent.fallback.plan(agent.day)))
    return agent, goals


def test_an_export_plans_its_middle_with_its_fallback_once_its_world_consumes_stock(
    checkpoint, tmp_path
):
    exported = export_agent(checkpoint, tmp_path / "agent", "HRLXFConsumedGoals")
    meta = json.loads((exported / "export.json").read_text())
    assert meta["consumed_world_goals"] == "fallback_at_middle"
    agent_class = load_agent_class(exported)
    agent, goals = play_consumed_world(agent_class, tmp_path)
    assert agent.executor.consumed_world_planner is agent.fallback
    assert len(goals) == 12 and agent.day.world_consumes_stock
    for goal, planned in goals:
        np.testing.assert_allclose(goal, planned)
    assert agent.fallback_count == 0 and agent.decisions["responses"] > 0
    first, goals = play_consumed_world(agent_class, tmp_path, n_steps=4, level=0)
    assert first.day.market.position == "first"
    assert any(not np.allclose(goal, planned) for goal, planned in goals)  # L2's own goals


def test_fallback_plans_every_level(checkpoint, tmp_path):
    exported = export_agent(checkpoint, tmp_path / "agent", "HRLXFFallbackGoals", "fallback")
    agent, goals = play_consumed_world(load_agent_class(exported), tmp_path, n_steps=4, level=0)
    for goal, planned in goals:
        np.testing.assert_allclose(goal, planned)


def test_learned_goals_keep_l2_and_bad_values_are_refused(checkpoint, tmp_path):
    exported = export_agent(checkpoint, tmp_path / "agent", "HRLXFLearnedGoals", "learned")
    agent_class = load_agent_class(exported)
    agent, goals = play_consumed_world(agent_class, tmp_path, n_steps=4)
    assert agent.executor.consumed_world_planner is None
    assert any(not np.allclose(goal, planned) for goal, planned in goals)  # L2's own goals
    with pytest.raises(ValueError, match="consumed_world_goals must be one of.*'heuristic'"):
        export_agent(checkpoint, tmp_path / "bad", "HRLXFBad", "heuristic")
    assert not (tmp_path / "bad").exists()
