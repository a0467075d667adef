"""The shield's model of production and stock matches the pinned SCML simulator.

scml 0.8.4 produces just in time and never reduces raw stock when production uses it. If a
future scml changes that, this test fails and policies/shield/limits.py must follow.
"""

import numpy as np

from baselines.heuristic.agent import HeuristicStdAgent
from envs.scml.world_builder import WorldConfig, build_world, unwrap_agent
from policies.shield import raw_material_trajectory
from tests.shield_cases import settled_day_state


def test_predicted_stock_after_each_day_equals_the_worlds(tmp_path):
    config = WorldConfig(n_steps=25, agents_per_process=3, log_dir=str(tmp_path))
    world, (learner,) = build_world(
        config, HeuristicStdAgent, seed=0, learner_params={"horizon": 10}
    )
    awi = world.agents[learner].awi
    assert not awi.is_first_level and not awi.is_last_level  # no exogenous flows to account for
    days_with_trade = 0
    for day in range(config.n_steps - 1):
        stock_before = awi.current_inventory_input
        world.step()
        agent_awi = unwrap_agent(world, learner).awi
        state = settled_day_state(agent_awi, day, stock_before, awi.n_lines)
        supplies, sales = state.incoming[0, 0], state.outgoing[0, 0]
        predicted = raw_material_trajectory(state)[0, 0]
        assert predicted == awi.current_inventory_input, f"day {day}: {supplies=} {sales=}"
        days_with_trade += int(supplies > 0 or sales > 0)
    assert days_with_trade >= 5
    assert np.isfinite(world.scores()[learner])
