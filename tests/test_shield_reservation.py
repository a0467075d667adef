"""L1 shield: dynamic reservation across many threads (L4)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.shield import ShieldState, ThreadBounds, compute_limits, reserve
from policies.shield.reservation import with_deal
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
        state,
        many_buy_threads(n),
    )
    # Deliveries on day 5 can use at most Q_safe[5], however many threads ask.
    assert 0 < offers.quantity.sum() <= limits.safe_buy[0, 5]


def test_heaviest_thread_is_served_first():
    state = make_state(horizon=4, n_steps=6, n_lines=2, balance=1e9)
    limits = compute_limits(state)
    weights = np.array([0.1, 0.7, 0.2])
    offers = reserve(
        np.full(3, 30.0), np.full(3, 10.0), np.full(3, 2.0), weights, state, many_buy_threads(3, 4)
    )
    assert offers.quantity[1] == limits.safe_buy[0, 2]
    assert offers.quantity[0] == 0 and offers.quantity[2] == 0


def test_budget_is_shared():
    state = make_state(balance=100.0)
    offers = reserve(
        np.full(4, 5.0), np.full(4, 10.0), np.full(4, 1.0), np.ones(4), state, many_buy_threads(4)
    )
    assert (offers.quantity * offers.unit_price).sum() <= 100.0
    assert offers.quantity.tolist() == [5, 5, 0, 0]


def test_sales_share_one_days_line_room():
    state = make_state(horizon=3, n_lines=10, inventory_input=50)
    threads = ThreadBounds.build([False] * 3, [1] * 3, [1] * 3, [30] * 3, [10] * 3, [12] * 3)
    offers = reserve(
        np.full(3, 6.0), np.full(3, 11.0), np.full(3, 1.0), np.array([3, 2, 1]), state, threads
    )
    assert offers.quantity.tolist() == [6, 4, 0]


def test_no_open_negotiations_gives_empty_offers():
    offers = reserve(
        np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), make_state(), many_buy_threads(0)
    )
    assert offers.quantity.shape == (0,)


def test_threads_of_several_states_are_rejected():
    threads = ThreadBounds.build(
        [True, True], [0, 0], [3, 3], [5, 5], [1, 1], [2, 2], state_index=[0, 1]
    )
    with pytest.raises(ValueError, match="one state"):
        reserve(np.ones(2), np.ones(2), np.ones(2), np.ones(2), make_state(), threads)
    batch = ShieldState.from_records([make_state().record()] * 2)
    with pytest.raises(ValueError, match="batch of 2"):
        reserve(np.ones(1), np.ones(1), np.ones(1), np.ones(1), batch, many_buy_threads(1))


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 10),
    n_lines=st.integers(0, 10),
    inventory=st.integers(0, 100),
    balance=st.floats(0, 2000),
    data=st.data(),
)
def test_reservation_keeps_every_day_within_limits(n, n_lines, inventory, balance, data):
    horizon = 8
    state = make_state(
        horizon=horizon,
        n_steps=15,
        n_lines=n_lines,
        inventory_input=inventory,
        balance=balance,
        incoming={data.draw(st.integers(0, horizon)): data.draw(st.integers(0, 30))},
        outgoing={data.draw(st.integers(0, horizon)): data.draw(st.integers(0, 30))},
    )
    before = compute_limits(state)
    is_buy = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    threads = ThreadBounds.build(is_buy, [0] * n, [horizon] * n, [40] * n, [5] * n, [15] * n)
    q = np.array(data.draw(st.lists(st.floats(0, 60), min_size=n, max_size=n)))
    d = np.array(data.draw(st.lists(st.integers(0, horizon), min_size=n, max_size=n)), dtype=float)
    w = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    offers = reserve(q, np.full(n, 10.0), d, w, state, threads)
    after_state = state
    for i in np.flatnonzero(offers.quantity > 0):
        after_state = with_deal(
            after_state,
            bool(is_buy[i]),
            offers.quantity[i],
            offers.unit_price[i],
            int(offers.delta[i]),
        )
    after = compute_limits(after_state)
    buys = threads.is_buy & (offers.quantity > 0)
    # Storage: from the first day anything was bought on, no day ends over capacity.
    if buys.any():
        first = int(offers.delta[buys].min())
        assert np.all(after.buy_headroom[0, first:] >= -1e-9)
    # Sales: no day that could make its signed sales before cannot make them after.
    was_covered = before.sell_room[0] >= 0
    assert np.all(after.sell_room[0][was_covered] >= -1e-9)
    assert (offers.quantity[buys] * offers.unit_price[buys]).sum() <= before.budget[0] + 1e-6
