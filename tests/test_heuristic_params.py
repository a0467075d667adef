"""HeuristicParams: one typed value for the heuristic's parameters, validated by name, shared by
the agent and the executor, and recorded in exports."""

import json

import numpy as np
import pytest
import torch

from baselines.heuristic.agent import HeuristicStdAgent
from baselines.heuristic.executor import HeuristicExecutor
from baselines.heuristic.params import HeuristicParams, PerLevel
from baselines.heuristic.planner import plan_goal
from experiments.export import export_agent, load_agent_class
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.l2_goal import N_BUCKETS
from policies.shield import COUNTER, StockAccounting, compute_limits
from tests.shield_cases import make_day, make_market, make_state
from tests.test_heuristic_sales import SELL_LIMIT, goal, threads


def test_defaults_are_the_measured_heuristic():
    params = HeuristicParams()
    assert params.production_target == PerLevel(0.8, 0.8, 0.8)
    assert params.price_slack == PerLevel(0.1, 0.1, 0.1)
    assert params.concession_exponent == PerLevel(first=0.5, middle=2.0, last=2.0)
    assert params.stock_target is None and params.min_margin == PerLevel(0.05, 0.05, 0.05)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"production_target": 0.0}, "production_target"),
        ({"price_slack": {"first": 0.1, "middle": 1.5, "last": 0.1}}, "price_slack.middle"),
        ({"min_margin": {"first": 0.1, "middle": 0.1}}, "min_margin.*missing.*last"),
        ({"min_margin": "wide"}, "min_margin"),
        ({"concession_exponent": {"first": -1.0, "middle": 2.0, "last": 2.0}}, "first"),
        ({"stock_target": -3.0}, "stock_target"),
        ({"concesion_exponent": 1.0}, "concesion_exponent"),
    ],
)
def test_bad_values_and_unknown_names_are_refused_by_name(values, named):
    with pytest.raises(ValueError, match=named):
        HeuristicParams.from_dict(values)


def test_a_mapping_round_trips_and_configures_agent_and_executor_alike():
    values = {
        "production_target": 0.6,
        "concession_exponent": {"first": 1.0, "middle": 3.0, "last": 1.5},
    }
    params = HeuristicParams.from_dict(values)
    assert HeuristicParams.from_dict(params.to_dict()) == params
    assert HeuristicExecutor(values).params == params
    assert HeuristicStdAgent(params=values).executor.params == params


def test_the_concession_exponent_is_read_per_position():
    """A first-level factory concedes with its own exponent: with 0 it asks its limit (20) at
    once, with the default 0.5 it still asks more early on; the middle's exponent changes
    nothing there."""
    day = make_day(make_state(inventory_input=8.0), make_market("first", price_out=22.0))

    def counter_price(first: float, middle: float) -> float:
        params = HeuristicParams(concession_exponent=PerLevel(first, middle, 2.0))
        decision = HeuristicExecutor(params).respond(
            day, goal(), threads(0.1, sell_price=19.0, buy_price=12.5), np.zeros((N_BUCKETS, 2))
        )
        assert decision.kind[0] == COUNTER
        return float(decision.unit_price[0])

    assert counter_price(0.0, 2.0) == pytest.approx(SELL_LIMIT)
    assert counter_price(0.5, 2.0) > SELL_LIMIT + 1.0
    assert counter_price(0.5, 9.0) == counter_price(0.5, 2.0)
    with pytest.raises(ValueError, match="position"):
        PerLevel(0.5, 2.0, 2.0).at("top")


@pytest.mark.parametrize("name", ["production_target", "price_slack", "min_margin"])
def test_a_planner_parameter_set_at_one_position_changes_only_that_position(name):
    """The middle level's value moves the middle factory's plan and leaves the first and last
    levels' plans as they were (a per-level search changes one level at a time)."""
    state = make_state(inventory_input=2.0)

    def plan(level: str, middle: float) -> np.ndarray:
        default = HeuristicParams()
        values = getattr(default, name)
        params = HeuristicParams.from_dict(
            {name: {"first": values.first, "middle": middle, "last": values.last}}
        )
        market = make_market(level, price_in=10.0, price_out=25.0)
        return plan_goal(state, compute_limits(state), market, params)

    default_middle = getattr(HeuristicParams(), name).middle
    changed = {"production_target": 0.4, "price_slack": 0.3, "min_margin": 0.4}[name]
    assert not np.allclose(plan("middle", changed), plan("middle", default_middle))
    for level in ("first", "last"):
        np.testing.assert_array_equal(plan(level, changed), plan(level, default_middle))


def test_one_number_sets_every_position():
    assert HeuristicParams.from_dict({"price_slack": 0.2}).price_slack == PerLevel(0.2, 0.2, 0.2)


def test_stock_accounting_is_parsed_by_name():
    assert StockAccounting.parse("consumed") is StockAccounting.CONSUMED
    with pytest.raises(ValueError, match="stock accounting must be one of"):
        StockAccounting.parse("fifo")


def test_an_export_records_and_plays_its_fallback_parameters(tmp_path):
    torch.manual_seed(0)
    bundle = HRLBundle(
        BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8)
    )
    bundle.save(tmp_path / "checkpoint")
    values = {"production_target": 0.5, "price_slack": 0.2}
    exported = export_agent(
        tmp_path / "checkpoint", tmp_path / "agent", "HRLXFTuned", heuristic=values
    )
    meta = json.loads((exported / "export.json").read_text())
    assert meta["heuristic_params"] == HeuristicParams.from_dict(values).to_dict()
    agent = load_agent_class(exported)()
    assert agent.fallback.params.production_target.at("middle") == 0.5
    assert agent.fallback.params.price_slack.at("last") == 0.2
