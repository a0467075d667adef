"""ConsumedStockWorld: production uses up the raw stock it draws on (scml 0.8.4 never does)."""

import numpy as np
import pytest

from baselines.heuristic.agent import HeuristicStdAgent
from envs.scml.world_builder import WorldConfig, build_world


def stock_days(tmp_path, accounting):
    config = WorldConfig(
        n_steps=25, agents_per_process=3, log_dir=str(tmp_path), stock_accounting=accounting
    )
    world, (learner,) = build_world(
        config, HeuristicStdAgent, seed=0, learner_params={"horizon": 10}
    )
    awi = world.agents[learner].awi
    days = []
    for _ in range(config.n_steps - 1):
        before = awi.current_inventory_input
        world.step()
        produced = round(world._productivity[learner] * awi.n_lines)
        days.append((before, world._input_quantity[learner], produced, awi.current_inventory_input))
    return days, world.scores()[learner]


@pytest.mark.slow
def test_stock_is_used_up_by_production(tmp_path):
    days, score = stock_days(tmp_path / "consumed", "consumed")
    for before, delivered, produced, after in days:
        assert after == before + delivered - produced
    assert any(produced > delivered for _, delivered, produced, _ in days)  # stock was drawn on
    quirk, quirk_score = stock_days(tmp_path / "scml", "scml")
    # As shipped, a day that produces from stock leaves the stock where it was.
    assert any(p > d and a == b + max(0, d - p) for b, d, p, a in quirk)
    assert np.isfinite(score) and score != quirk_score


def test_unknown_accounting_is_named():
    with pytest.raises(
        ValueError, match="stock accounting must be one of \\['scml', 'consumed'\\]"
    ):
        WorldConfig(stock_accounting="fifo").validate()


def test_the_shield_predicts_consumed_stock_and_the_agent_detects_the_accounting(tmp_path):
    from envs.scml.world_builder import unwrap_agent
    from policies.shield import raw_material_trajectory
    from tests.shield_cases import settled_day_state

    detected = {}
    for accounting in ("consumed", "scml"):
        config = WorldConfig(
            n_steps=25,
            agents_per_process=3,
            log_dir=str(tmp_path / accounting),
            stock_accounting=accounting,
        )
        params = {"horizon": 10}
        world, (learner,) = build_world(config, HeuristicStdAgent, seed=0, learner_params=params)
        awi = world.agents[learner].awi
        for day in range(config.n_steps - 1):
            before = awi.current_inventory_input
            world.step()
            agent = unwrap_agent(world, learner)
            state = settled_day_state(agent.awi, day, before, awi.n_lines)
            predicted = raw_material_trajectory(state, accounting=accounting)
            assert predicted[0, 0] == awi.current_inventory_input, f"{accounting} day {day}"
        detected[accounting] = (agent.stock_accounting, agent.day.stock_accounting)
    # Under scml's accounting stock never falls; the consumed world shows itself, and the day's
    # snapshot says so (the rules that lean on scml's stock read it).
    assert detected == {"consumed": ("consumed", "consumed"), "scml": ("scml", "scml")}
