"""L1 shield: capacity, trajectories, Q_safe and budget on hand-made states."""

import numpy as np
import pytest

from policies.shield import (
    ShieldState,
    StockAccounting,
    capacity_vector,
    compute_limits,
    raw_material_trajectory,
    reverse_cummin,
)
from tests.shield_cases import make_state


def test_dynamic_capacity_counts_remaining_processing_days():
    state = make_state(horizon=5, current_step=46, n_steps=50, n_lines=10)
    np.testing.assert_array_equal(capacity_vector(state)[0], [40, 30, 20, 10, 0, 0])


def test_static_capacity_is_used_when_published():
    state = make_state(horizon=3, storage_capacity=25.0)
    np.testing.assert_array_equal(capacity_vector(state)[0], [25, 25, 25, 25])


def test_days_after_the_world_ends_are_forbidden_but_do_not_block_earlier_days():
    limits = compute_limits(make_state(horizon=4, current_step=49, n_steps=50, n_lines=10))
    # Only today exists: one day of processing left.
    np.testing.assert_array_equal(limits.safe_buy[0], [10, 0, 0, 0, 0])
    np.testing.assert_array_equal(limits.safe_sell[0], [0, 0, 0, 0, 0])


def test_horizon_reaching_past_the_end_keeps_safe_quantities_positive():
    # Regression: with t + H >= T the zero capacity of non-existent days used to zero Q_safe.
    limits = compute_limits(make_state(horizon=40, current_step=20, n_steps=50, n_lines=10))
    assert limits.safe_buy[0, 0] > 0 and limits.safe_buy[0, 29] > 0
    assert np.all(limits.safe_buy[0, 30:] == 0)


def test_surplus_deliveries_join_a_stock_that_production_never_reduces():
    # scml 0.8.4: day 2 delivers 12, production makes the 4 sold that day, 8 join the stock;
    # the sale of day 1 is made from stock without reducing it.
    state = make_state(
        horizon=4, n_lines=5, inventory_input=7, incoming={2: 12}, outgoing={1: 5, 2: 4}
    )
    np.testing.assert_array_equal(raw_material_trajectory(state)[0], [7, 7, 15, 15, 15])


def test_safe_buy_is_reverse_cumulative_minimum_of_headroom():
    state = make_state(horizon=4, n_steps=100, n_lines=10, inventory_input=0, incoming={2: 300})
    limits = compute_limits(state)
    headroom = limits.capacity[0] - limits.raw_trajectory[0]
    expected = np.maximum(0, [min(headroom[d:]) for d in range(5)])
    np.testing.assert_allclose(limits.safe_buy[0], expected)
    # A delivery before the big arrival is limited by the crowded later days.
    assert limits.safe_buy[0, 0] <= headroom[2]


def test_full_storage_gives_no_safe_buy():
    state = make_state(horizon=3, storage_capacity=50.0, inventory_input=60, n_lines=1)
    limits = compute_limits(state)
    np.testing.assert_array_equal(limits.safe_buy[0], [0, 0, 0, 0])


def test_negative_free_capacity_is_clipped_to_zero():
    state = make_state(horizon=3, current_step=45, n_steps=50, n_lines=2, incoming={0: 100})
    limits = compute_limits(state)
    assert np.all(limits.buy_headroom[0] < 0)
    np.testing.assert_array_equal(limits.safe_buy[0], [0, 0, 0, 0])


def test_sell_room_is_what_the_lines_can_make_each_day_minus_signed_sales():
    state = make_state(horizon=3, n_lines=10, inventory_input=15, outgoing={1: 4})
    limits = compute_limits(state)
    np.testing.assert_array_equal(limits.sell_room[0], [10, 6, 10, 10])
    np.testing.assert_array_equal(limits.safe_sell[0], [10, 6, 10, 10])


def test_sale_using_todays_surplus_is_limited_by_later_shortfall():
    # Day 0 brings 6 units nobody needs today; they would cover the sale of day 2. Selling on
    # day 1 is fine: it uses the stock, which production never reduces.
    state = make_state(horizon=2, n_lines=10, incoming={0: 6}, outgoing={2: 6})
    limits = compute_limits(state)
    np.testing.assert_array_equal(limits.sell_room[0], [6, 6, 0])
    np.testing.assert_array_equal(limits.safe_sell[0], [0, 6, 0])


def test_oversold_days_give_no_safe_sell():
    state = make_state(horizon=2, inventory_input=3, outgoing={2: 10})
    np.testing.assert_array_equal(compute_limits(state).safe_sell[0], [3, 3, 0])


@pytest.mark.parametrize(
    "balance,payables,expected", [(1000, {}, 900), (1000, {1: 950}, 0), (-50, {}, 0), (0, {}, 0)]
)
def test_budget_subtracts_reserve_and_payables_and_is_never_negative(balance, payables, expected):
    state = make_state(horizon=3, balance=balance, payables=payables)
    assert compute_limits(state, reserve=100).budget[0] == expected


def test_reverse_cummin_matches_definition():
    values = np.array([[5.0, 2.0, 7.0, 3.0, 9.0]])
    np.testing.assert_array_equal(reverse_cummin(values), [[2, 2, 3, 3, 9]])


def test_batched_limits_equal_one_at_a_time():
    states = [
        make_state(horizon=6, current_step=s, inventory_input=s * 3, incoming={1: s})
        for s in range(5)
    ]
    batch = ShieldState.from_records([s.record() for s in states])
    together = compute_limits(batch)
    for i, single in enumerate(states):
        alone = compute_limits(single)
        np.testing.assert_array_equal(together.safe_buy[i], alone.safe_buy[0])
        np.testing.assert_array_equal(together.safe_sell[i], alone.safe_sell[0])


def test_record_round_trip_is_exact():
    state = make_state(horizon=4, incoming={1: 3}, outgoing={2: 1}, payables={1: 30})
    again = ShieldState.from_records([state.record()])
    for name in ("incoming", "outgoing", "payables", "balance", "storage_capacity"):
        np.testing.assert_array_equal(getattr(again, name), getattr(state, name))


def test_malformed_record_names_missing_fields():
    record = make_state().record()
    del record["payables"]
    with pytest.raises(ValueError, match="missing fields \\['payables'\\]"):
        ShieldState.from_records([record])


def test_mismatched_shapes_are_rejected():
    record = make_state(horizon=3).record()
    bad = dict(record, outgoing=[0.0, 1.0])
    with pytest.raises(ValueError, match="outgoing"):
        ShieldState.from_records([record, bad])


def test_consumed_stock_runs_down_and_limits_sales_to_the_material_left():
    # 5 units in stock, 3 lines, 3 units sold each of the next three days, nothing arriving.
    state = make_state(horizon=3, n_lines=3, inventory_input=5, outgoing={0: 3, 1: 3, 2: 3})
    quirk = compute_limits(state)
    consumed = compute_limits(state, accounting=StockAccounting.CONSUMED)
    np.testing.assert_allclose(quirk.raw_trajectory[0], [5, 5, 5, 5])  # scml never draws it down
    np.testing.assert_allclose(consumed.raw_trajectory[0], [2, 0, 0, 0])
    np.testing.assert_allclose(consumed.sell_room[0], [0, -1, -3, 0])  # days 1, 2 fall short
    np.testing.assert_allclose(consumed.safe_sell[0], [0, 0, 0, 0])
    # With 20 in stock there is material for 20 - 9 = 11 more units, at most 3 a day, and a
    # sale on one day leaves less for the days after it.
    rich = compute_limits(
        make_state(horizon=3, n_lines=3, inventory_input=20, outgoing={0: 1, 1: 1, 2: 1}),
        accounting=StockAccounting.CONSUMED,
    )
    np.testing.assert_allclose(rich.raw_trajectory[0], [19, 18, 17, 17])
    np.testing.assert_allclose(rich.safe_sell[0], [2, 2, 2, 3])
