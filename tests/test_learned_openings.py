"""The learned executor sends an opening only where its side of the day's goal still wants a
unit (L3's operations without an offer are counters only, so the rule sits in the executor)."""

import numpy as np
import pytest
import torch

from policies.decision.layouts import HISTORY_FEATURES
from policies.decision.snapshot import ThreadSnapshot
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.executor import LearnedExecutor
from policies.l2_goal import N_BUCKETS, P_BUY, P_SELL, Q_BUY, Q_SELL
from policies.shield import COUNTER, END, ThreadBounds
from tests.shield_cases import make_day, make_market, make_state

HISTORY = 8


def openings(is_buy: list[bool]) -> ThreadSnapshot:
    """Threads where we speak first: nothing on the table yet."""
    k = len(is_buy)
    return ThreadSnapshot(
        bounds=ThreadBounds.build(
            is_buy=is_buy,
            min_delta=[0] * k,
            max_delta=[10] * k,
            q_max=[10.0] * k,
            p_min=[9.0] * k,
            p_max=[12.0] * k,
        ),
        reference_price=np.full(k, 10.0),
        has_offer=np.zeros(k, dtype=bool),
        offer=np.zeros((k, 3)),
        relative_time=np.zeros(k),
        open_need=np.zeros(k),
        committed_at_delivery=np.zeros(k),
        inventory_input=np.full(k, 10.0),
        round_group=np.arange(1, k + 1),
        history=np.zeros((k, HISTORY, len(HISTORY_FEATURES)), dtype=np.float32),
        history_valid=np.zeros((k, HISTORY), dtype=bool),
    )


def goal(buy: float, sell: float = 0.0) -> np.ndarray:
    out = np.zeros((N_BUCKETS, 4))
    out[0, Q_BUY], out[0, Q_SELL] = buy, sell
    out[:, P_BUY], out[:, P_SELL] = 11.0, 19.0
    return out


@pytest.fixture(scope="module")
def executor():
    torch.manual_seed(0)
    config = BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=HISTORY)
    return LearnedExecutor(HRLBundle(config))


@pytest.mark.parametrize(
    "buy, secured_buy, kind",
    [(0.0, 0.0, END), (0.3, 0.0, END), (3.0, 0.0, COUNTER), (3.0, 3.0, END), (3.0, 2.0, COUNTER)],
    ids=["no goal", "less than a unit", "a goal", "secured already", "a unit still wanted"],
)
def test_an_opening_is_sent_only_while_its_side_still_wants_a_unit(
    executor, buy, secured_buy, kind
):
    state = make_state(inventory_input=10.0)
    day = make_day(state, make_market("middle"))
    secured = np.zeros((N_BUCKETS, 2))
    secured[0, 0] = secured_buy
    decision = executor.respond(day, goal(buy, sell=4.0), openings([True, False]), secured)
    assert decision.kind[0] == kind
    assert decision.kind[1] == COUNTER  # the sell side still wants 4 units
