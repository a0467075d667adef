"""L1 shield: dynamic reservation across many threads (L4)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.shield import ThreadBounds, compute_limits, reserve
from tests.shield_cases import make_state


def many_buy_threads(n: int, horizon: int = 10) -> ThreadBounds:
    return ThreadBounds.build([True] * n, [0] * n, [horizon] * n, [30] * n, [10] * n, [12] * n)


def test_threads_together_never_exceed_safe_quantity():
    state = make_state(horizon=10, n_steps=12, n_lines=2, balance=1e9)
    limits = compute_limits(state)
    n = 8
    offers = reserve(
        np.full(n, 30.0),
        np.full(n, 10.0),
        np.full(n, 5.0),
        np.arange(n),
        limits,
        many_buy_threads(n),
    )
    # Deliveries on day 5 can use at most Q_safe[5], however many threads ask.
    assert offers.quantity.sum() <= limits.safe_buy[0, 5]
    assert offers.quantity.sum() > 0


def test_heaviest_thread_is_served_first():
    limits = compute_limits(make_state(horizon=4, n_steps=6, n_lines=2, balance=1e9))
    weights = np.array([0.1, 0.7, 0.2])
    offers = reserve(
        np.full(3, 30.0), np.full(3, 10.0), np.full(3, 2.0), weights, limits, many_buy_threads(3, 4)
    )
    assert offers.quantity[1] == limits.safe_buy[0, 2]
    assert offers.quantity[0] == 0 and offers.quantity[2] == 0


def test_budget_is_shared():
    limits = compute_limits(make_state(balance=100.0))
    offers = reserve(
        np.full(4, 5.0), np.full(4, 10.0), np.full(4, 1.0), np.ones(4), limits, many_buy_threads(4)
    )
    assert (offers.quantity * offers.unit_price).sum() <= 100.0
    assert offers.quantity.tolist() == [5, 5, 0, 0]


def test_no_open_negotiations_gives_empty_offers():
    limits = compute_limits(make_state())
    empty = many_buy_threads(0)
    offers = reserve(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), limits, empty)
    assert offers.quantity.shape == (0,)


def test_threads_of_several_states_are_rejected():
    limits = compute_limits(make_state())
    threads = ThreadBounds.build(
        [True, True], [0, 0], [3, 3], [5, 5], [1, 1], [2, 2], state_index=[0, 1]
    )
    with pytest.raises(ValueError, match="one state"):
        reserve(np.ones(2), np.ones(2), np.ones(2), np.ones(2), limits, threads)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 10),
    n_lines=st.integers(0, 10),
    inventory=st.integers(0, 100),
    inventory_output=st.integers(0, 40),
    balance=st.floats(0, 2000),
    data=st.data(),
)
def test_reservation_keeps_every_day_within_limits(
    n, n_lines, inventory, inventory_output, balance, data
):
    horizon = 8
    state = make_state(
        horizon=horizon,
        n_steps=15,
        n_lines=n_lines,
        inventory_input=inventory,
        inventory_output=inventory_output,
        balance=balance,
    )
    limits = compute_limits(state)
    is_buy = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    threads = ThreadBounds.build(is_buy, [0] * n, [horizon] * n, [40] * n, [5] * n, [15] * n)
    q = np.array(data.draw(st.lists(st.floats(0, 60), min_size=n, max_size=n)))
    d = np.array(data.draw(st.lists(st.integers(0, horizon), min_size=n, max_size=n)), dtype=float)
    w = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    offers = reserve(q, np.full(n, 10.0), d, w, limits, threads)
    buys, sells = threads.is_buy, ~threads.is_buy
    # Every day's headroom, after all grants delivered on or before it, stays non-negative
    # wherever the shield started with room (Q_safe >= 0 by construction).
    for side, headroom in ((buys, limits.buy_headroom[0]), (sells, limits.sell_headroom[0])):
        used = np.zeros(horizon + 1)
        for qi, di in zip(offers.quantity[side], offers.delta[side], strict=True):
            used[int(di) :] += qi
        left = headroom - used
        assert np.all(left[used > 0] >= -1e-9)
    assert (offers.quantity[buys] * offers.unit_price[buys]).sum() <= limits.budget[0] + 1e-6
