"""L2 goal reconstruction and L3 residual / time labels on small hand-made expert logs."""

import numpy as np
import pytest

from experiments.collect.recorder import PROPOSED, RECEIVED
from experiments.collect.world_task import EVENT_COLUMNS
from experiments.datasets.expert_data import ExpertData
from experiments.datasets.l2_labels import L2LabelConfig, reconstruct_l2_goals, soft_buckets
from experiments.datasets.l3_labels import L3LabelConfig
from experiments.datasets.l3_labels import extract_l3_samples as extract_with_goals
from policies.l2_goal import P_BUY, P_SELL, Q_BUY, Q_SELL

H = 20


def extract_l3_samples(log: ExpertData, config: L3LabelConfig):
    """L3 samples with the reconstructed L2 goals as each day's goal (as training does)."""
    labels = reconstruct_l2_goals(log, L2LabelConfig(horizon=H))
    return extract_with_goals(log, labels["goal"], labels["target"], config)


def expert_log(
    events=(), deals=(), x_role=(1.0, 1.0), needs=(0, 0), inventory_input=0.0
) -> ExpertData:
    """One expert, one day (day 2 of 30), prices 10 in / 20 out, 5 lines, a rich balance."""
    day = {
        "day_world": [0],
        "day_agent": [0],
        "day_day": [2],
        "day_x_role": [list(x_role)],
        "day_price_in": [10.0],
        "day_price_out": [20.0],
        "day_needed_supplies": [needs[0]],
        "day_needed_sales": [needs[1]],
        "day_shield_current_step": [2.0],
        "day_shield_n_steps": [30.0],
        "day_shield_n_lines": [5.0],
        "day_shield_inventory_input": [inventory_input],
        "day_shield_inventory_output": [0.0],
        "day_shield_balance": [1e6],
        "day_shield_storage_capacity": [np.nan],
        "day_shield_expected_exogenous_input": [0.0],
    }
    for name in ("incoming", "outgoing", "payables", "receivables"):
        day[f"day_shield_{name}"] = [np.zeros(H + 1)]
    columns = {k: np.array(v) for k, v in day.items()}
    # The recorder's columns; the ones below the events' tuples are filled after.
    filled_after = (
        "agent",
        "day",
        "relative_time",
        "agreed_today",
        "committed_at_delivery",
        "source",
    )
    event_columns = [c for c in EVENT_COLUMNS if c not in filled_after]
    for k, name in enumerate(event_columns):
        columns[f"event_{name}"] = np.array(
            [e[k] for e in events], dtype=float if name in ("unit_price", "p_min", "p_max") else int
        )
    n_events = len(events)
    columns.update(
        event_world=np.zeros(n_events, int),
        event_agent=np.zeros(n_events, int),
        event_day=np.full(n_events, 2),
        event_relative_time=np.zeros(n_events),
        event_agreed_today=np.zeros(n_events),
        event_committed_at_delivery=np.zeros(n_events),
        event_source=np.zeros(n_events, int),  # an expert's own play
    )
    for k, name in enumerate(("partner", "is_buy", "quantity", "delivery_day", "unit_price")):
        columns[f"deal_{name}"] = np.array(
            [d[k] for d in deals], dtype=float if name == "unit_price" else int
        )
    n_deals = len(deals)
    columns.update(
        deal_world=np.zeros(n_deals, int),
        deal_agent=np.zeros(n_deals, int),
        deal_signed_day=np.full(n_deals, 2),
        world_teacher=np.array([""]),
    )
    return ExpertData(columns, {})


def test_soft_buckets_share_between_neighbouring_centres():
    # bucket centres for H=20: 1, 5, 11, 17.5
    weights = soft_buckets(np.array([0, 1, 3, 8, 20]), H)
    np.testing.assert_allclose(weights[0], [1, 0, 0, 0])  # before the first centre
    np.testing.assert_allclose(weights[1], [1, 0, 0, 0])
    np.testing.assert_allclose(weights[2], [0.5, 0.5, 0, 0])
    np.testing.assert_allclose(weights[3], [0, 0.5, 0.5, 0])
    np.testing.assert_allclose(weights[4], [0, 0, 0, 1])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)


def test_l2_goal_combines_deals_shortfall_intent_and_price_fallbacks():
    deals = [(0, 1, 10, 3, 9.0)]  # bought 10 from partner 0, delivered day 3 (offset 1) at 9
    events = [
        (0, 1, PROPOSED, 1, 10, 3, 9.0, -1, 20, 2, 25, 5.0, 15.0),  # the offer that became the deal
        (1, 0, PROPOSED, 0, 8, 9, 30.0, -1, 20, 2, 25, 10.0, 40.0),  # a sale offer (offset 7)...
        (1, 0, PROPOSED, 2, 4, 7, 24.0, -1, 20, 2, 25, 10.0, 40.0),  # ...revised: 4 at offset 5
    ]
    labels = reconstruct_l2_goals(
        expert_log(events, deals, needs=(15, 0)), L2LabelConfig(horizon=H, intent_weight=0.25)
    )
    goal = labels["goal"][0]
    assert goal[0, Q_BUY] == pytest.approx(10 + 5)  # the deal + the unmet need of 15
    assert goal[0, P_BUY] == pytest.approx(9.0)  # VWAP
    assert goal[1:, Q_BUY].sum() == pytest.approx(0.0)
    assert goal[2:, P_BUY] == pytest.approx([9.5, 9.5])  # no deal, no offer there: 0.95 x 10
    assert goal[1, Q_SELL] == pytest.approx(0.25 * 4)  # only the last proposal counts, weakly
    assert goal[1, P_SELL] == pytest.approx(24.0)  # the live offer's price
    assert goal[0, P_SELL] == pytest.approx(21.0)  # spot fallback: 1.05 x 20
    assert labels["mask"][0].min() == 1.0


def test_l2_sides_the_factory_cannot_negotiate_are_zeroed_and_masked():
    deals = [(0, 0, 6, 4, 22.0)]
    labels = reconstruct_l2_goals(
        expert_log(deals=deals, x_role=(0.0, 1.0), needs=(7, 0)), L2LabelConfig(horizon=H)
    )
    goal, mask, target = labels["goal"][0], labels["mask"][0], labels["target"][0]
    assert np.all(goal[:, [Q_BUY, P_BUY]] == 0.0)
    buy_dims = [b * 4 + c for b in range(4) for c in (Q_BUY, P_BUY)]
    assert np.all(mask[buy_dims] == 0.0) and np.all(target[buy_dims] == 0.0)
    assert goal[:, Q_SELL].sum() == pytest.approx(6.0) and goal[0, P_SELL] == pytest.approx(22.0)


def test_l3_residuals_time_projection_and_history():
    # 20 units of raw stock: the 5 lines can make (and sell) 5 units on every day.
    events = [
        (
            3,
            0,
            RECEIVED,
            0,
            5,
            4,
            19.0,
            1,
            10,
            2,
            25,
            10.0,
            30.0,
        ),  # partner 3 offers to buy, we counter
        (3, 0, PROPOSED, 1, 6, 5, 22.0, -1, 10, 2, 25, 10.0, 30.0),  # our counter: 6 at offset 3
        (4, 1, PROPOSED, 0, 8, 3, 9.0, -1, 10, 2, 25, 5.0, 15.0),  # a purchase at offset 1
    ]
    log = expert_log(events, needs=(4, 3), inventory_input=20.0)
    samples = extract_l3_samples(log, L3LabelConfig(horizon=H, history_length=4))
    assert list(samples["proposal_event"]) == [1, 2] and list(samples["answer_event"]) == [0]
    assert samples["answer_operation"][0] == 1
    base = samples["proposal_baseline"]
    np.testing.assert_allclose(samples["proposal_residual"][0], [6 - base[0, 0], 22.0 - base[0, 1]])
    assert samples["proposal_time_label"][0] == 3 and not samples["proposal_time_fixed"][0]
    # The counter's history holds the partner's offer, right-aligned, marked as not ours.
    history, valid = samples["proposal_history"][0], samples["proposal_history_valid"][0]
    assert list(valid) == [False, False, False, True]
    np.testing.assert_allclose(history[-1], [5 / 10, 2 / H, 19.0 / 20.0, 0.0])
    assert not samples["proposal_history_valid"][1].any()
    # Labels always lie on allowed offsets.
    mask = samples["proposal_time_mask"]
    assert mask[0, samples["proposal_time_label"][0]] and mask[1, samples["proposal_time_label"][1]]


def test_l3_forbidden_delivery_is_projected_to_the_nearest_allowed_offset():
    # A purchase for offset 1 outside its agenda (days 5..8 = offsets 3..6) maps to offset 3.
    narrow = [(4, 1, PROPOSED, 0, 8, 3, 9.0, -1, 10, 5, 8, 5.0, 15.0)]  # agenda days 5..8
    samples = extract_l3_samples(expert_log(narrow), L3LabelConfig(horizon=H))
    assert samples["proposal_time_fixed"][0] and samples["proposal_time_label"][0] == 3
    with pytest.raises(ValueError, match="horizon"):
        extract_l3_samples(expert_log(narrow), L3LabelConfig(horizon=H + 1))


def test_round_features_rank_offers_and_measure_what_still_fits():
    from policies.decision.contexts import round_features

    # three purchase offers (prices 10, 8, 12) against a need of 8, one sale against a need of 3
    feats = round_features(
        np.zeros(4, int),
        np.array([1, 1, 1, 0]),
        np.array([5.0, 3, 4, 2]),
        np.array([10.0, 8, 12, 20]),
        np.array([8.0, 8, 8, 3]),
    )
    np.testing.assert_allclose(feats[:, 0], [12 / 8, 12 / 8, 12 / 8, 2 / 3])  # offered vs need
    np.testing.assert_allclose(feats[:, 1], [0.5, 0.0, 1.0, 0.0])  # 8 is the best price to buy at
    np.testing.assert_allclose(feats[:, 2], [3 / 8, 0.0, 8 / 8, 0.0])  # better offers before it
