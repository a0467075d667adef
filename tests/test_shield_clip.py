"""L1 shield: time mask, clip_action and the baseline action."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.shield import (
    ThreadBounds,
    baseline_action,
    clip_action,
    compute_limits,
    logit_mask,
    thread_safe_quantities,
    time_mask,
)
from tests.shield_cases import make_state


def buy_thread(min_delta=0, max_delta=10, q_max=30, p_min=10, p_max=12) -> ThreadBounds:
    return ThreadBounds.build([True], [min_delta], [max_delta], [q_max], [p_min], [p_max])


def sell_thread(min_delta=0, max_delta=10, q_max=30, p_min=10, p_max=12) -> ThreadBounds:
    return ThreadBounds.build([False], [min_delta], [max_delta], [q_max], [p_min], [p_max])


def test_time_mask_respects_agenda_range():
    limits = compute_limits(make_state(horizon=10))
    mask = time_mask(limits, buy_thread(min_delta=2, max_delta=5))
    np.testing.assert_array_equal(np.flatnonzero(mask[0]), [2, 3, 4, 5])


def test_delta_beyond_horizon_is_never_allowed():
    limits = compute_limits(make_state(horizon=4))
    threads = buy_thread(min_delta=3, max_delta=99)
    mask = time_mask(limits, threads)
    assert mask.shape == (1, 5)
    clipped = clip_action(np.array([5.0]), np.array([11.0]), np.array([40.0]), limits, threads)
    assert clipped.delta[0] == 4 and clipped.quantity[0] == 5


def test_empty_budget_masks_every_buy_day_and_zeroes_quantity():
    limits = compute_limits(make_state(balance=0.0))
    threads = buy_thread()
    assert not time_mask(limits, threads).any()
    clipped = clip_action(np.array([5.0]), np.array([11.0]), np.array([2.0]), limits, threads)
    assert clipped.quantity[0] == 0


def test_budget_caps_quantity_at_clipped_price():
    limits = compute_limits(make_state(balance=55.0))
    clipped = clip_action(
        np.array([20.0]), np.array([100.0]), np.array([1.0]), limits, buy_thread(p_max=11)
    )
    assert clipped.unit_price[0] == 11 and clipped.quantity[0] == 5


def test_forbidden_day_moves_to_nearest_allowed_day():
    # Days 5.. do not exist (t=45, T=50); the agenda starts on day 1.
    limits = compute_limits(make_state(horizon=10, current_step=45, n_steps=50))
    threads = buy_thread(min_delta=1)
    np.testing.assert_array_equal(np.flatnonzero(time_mask(limits, threads)[0]), [1, 2, 3, 4])
    late = clip_action(np.array([1.0]), np.array([11.0]), np.array([8.0]), limits, threads)
    early = clip_action(np.array([1.0]), np.array([11.0]), np.array([0.0]), limits, threads)
    assert late.delta[0] == 4 and early.delta[0] == 1


def test_logit_mask_is_zero_or_minus_infinity():
    mask = np.array([[True, False, True]])
    np.testing.assert_array_equal(logit_mask(mask), [[0.0, -np.inf, 0.0]])


def test_sell_quantity_limited_by_what_can_be_made():
    limits = compute_limits(make_state(inventory_input=4, n_lines=10))
    clipped = clip_action(np.array([9.0]), np.array([11.0]), np.array([0.0]), limits, sell_thread())
    assert clipped.quantity[0] == 4


def test_baseline_buys_on_roomiest_day_and_sells_on_earliest():
    limits = compute_limits(
        make_state(horizon=6, n_steps=20, inventory_input=5, inventory_output=3, incoming={0: 120})
    )
    threads = ThreadBounds.build([True, False], [1, 2], [6, 6], [30, 30], [10, 10], [12, 12])
    offers = baseline_action(
        limits, threads, reference_price=np.array([11.0, 11.0]), wanted=np.array([5.0, 2.0])
    )
    safe = thread_safe_quantities(limits, threads)
    mask = time_mask(limits, threads)
    buy_day = int(offers.delta[0])
    assert mask[0, buy_day] and safe[0, buy_day] == safe[0][mask[0]].max()
    assert offers.delta[1] == 2
    assert offers.unit_price[0] < 11 < offers.unit_price[1]
    assert offers.quantity.tolist() == [5, 2]


@st.composite
def shield_case(draw):
    horizon = draw(st.integers(1, 12))
    n_steps = draw(st.integers(2, 60))
    state = make_state(
        horizon=horizon,
        current_step=draw(st.integers(0, n_steps - 1)),
        n_steps=n_steps,
        n_lines=draw(st.integers(0, 12)),
        inventory_input=draw(st.integers(0, 200)),
        inventory_output=draw(st.integers(0, 50)),
        balance=draw(st.floats(-1000, 5000)),
        storage_capacity=draw(st.sampled_from([np.nan, 0.0, 30.0, 500.0])),
        incoming={draw(st.integers(0, horizon)): draw(st.integers(0, 80))},
        outgoing={draw(st.integers(0, horizon)): draw(st.integers(0, 80))},
        payables={draw(st.integers(0, horizon)): draw(st.floats(0, 3000))},
    )
    n = draw(st.integers(1, 6))
    lo = [draw(st.integers(0, horizon + 3)) for _ in range(n)]
    p_min = [draw(st.floats(1, 20)) for _ in range(n)]
    threads = ThreadBounds.build(
        is_buy=[draw(st.booleans()) for _ in range(n)],
        min_delta=lo,
        max_delta=[a + draw(st.integers(0, 10)) for a in lo],
        q_max=[draw(st.integers(1, 40)) for _ in range(n)],
        p_min=p_min,
        p_max=[p + draw(st.floats(0, 5)) for p in p_min],
    )
    action = (
        np.array([draw(st.one_of(st.floats(-50, 200), st.just(np.nan))) for _ in range(n)]),
        np.array([draw(st.floats(-10, 50)) for _ in range(n)]),
        np.array([draw(st.floats(-5, 60)) for _ in range(n)]),
    )
    return state, threads, action


@settings(max_examples=300, deadline=None)
@given(shield_case())
def test_clip_action_never_returns_a_forbidden_action(case):
    state, threads, (q, p, d) = case
    limits = compute_limits(state)
    clipped = clip_action(q, p, d, limits, threads)
    mask = time_mask(limits, threads)
    safe = thread_safe_quantities(limits, threads)
    rows = np.arange(len(threads))
    offered = clipped.quantity > 0
    assert np.all(clipped.quantity >= 0) and np.all(clipped.quantity == np.floor(clipped.quantity))
    assert np.all(mask[rows[offered], clipped.delta[offered]])
    assert np.all(clipped.quantity <= safe[rows, np.clip(clipped.delta, 0, state.horizon)] + 1e-9)
    assert np.all(clipped.quantity <= threads.q_max)
    assert np.all((clipped.unit_price >= threads.p_min) & (clipped.unit_price <= threads.p_max))
    spend = clipped.quantity * clipped.unit_price
    assert np.all(spend[threads.is_buy] <= limits.budget[0] + 1e-6)
    # Nothing offered where no day is allowed.
    assert not np.any(offered & ~mask.any(axis=1))
