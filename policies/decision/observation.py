"""The L2 observation from a :class:`DaySnapshot`.

``x_static`` (:data:`STATIC_FEATURES`), ``X_temporal`` ((H+1) x :data:`TEMPORAL_FEATURES`),
``x_role`` (:data:`ROLE_FEATURES`). Every feature is scaled to a small range and clipped to
[-FEATURE_BOUND, FEATURE_BOUND], so observations never leave their declared space.
"""

from __future__ import annotations

import numpy as np

from policies.decision.layouts import ROLE_FEATURES, STATIC_FEATURES, TEMPORAL_FEATURES
from policies.decision.snapshot import DaySnapshot

FEATURE_BOUND = 10.0
# Future price = 0.6 signed VWAP + 0.3 live offers + 0.1 spot.
PRICE_WEIGHTS = (0.6, 0.3, 0.1)


def future_price(
    signed_q: np.ndarray,
    signed_value: np.ndarray,
    live_q: np.ndarray,
    live_value: np.ndarray,
    spot: float,
) -> np.ndarray:
    """Blend of signed VWAP, live-offer average and spot; missing sources drop out of the blend."""
    w_signed, w_live, w_spot = PRICE_WEIGHTS
    has_signed, has_live = signed_q > 0, live_q > 0
    vwap = np.where(has_signed, signed_value / np.maximum(signed_q, 1e-9), 0.0)
    live = np.where(has_live, live_value / np.maximum(live_q, 1e-9), 0.0)
    weight = w_spot + w_signed * has_signed + w_live * has_live
    return (w_spot * spot + w_signed * vwap + w_live * live) / weight


def build_observation(day: DaySnapshot) -> dict[str, np.ndarray]:
    """The L2 observation of one factory at dawn."""
    state, limits, market = day.state, day.limits, day.market
    n_lines = max(day.n_lines, 1.0)
    q_scale = n_lines * market.negotiation_horizon  # about what moves in a negotiation horizon
    money = max(day.initial_balance, 1.0)
    price_in, price_out = market.price_in, market.price_out
    price_ref = max(day.catalog_price_out, 1e-9)
    incoming, outgoing = state.incoming[0], state.outgoing[0]
    payables, receivables = state.payables[0], state.receivables[0]

    x_static = np.array(
        [
            state.balance[0] / money,
            state.inventory_input[0] / q_scale,
            state.inventory_output[0] / q_scale,
            day.today / max(day.n_steps, 1),
            n_lines / 10.0,
            market.production_cost / price_ref,
            price_in / price_ref,
            price_out / price_ref,
            incoming.sum() / q_scale,
            outgoing.sum() / q_scale,
            payables.sum() / money,
            receivables.sum() / money,
        ]
    )
    raw = limits.raw_trajectory[0]
    consumed = np.diff(
        state.inventory_input[0] + np.cumsum(incoming) - raw, prepend=state.inventory_input[0]
    )
    free = np.nan_to_num(limits.buy_headroom[0], nan=0.0)
    balance_path = state.balance[0] + np.cumsum(
        receivables - payables - consumed * market.production_cost
    )
    q_suppliers, v_suppliers, q_consumers, v_consumers = day.live_offers
    future_in = future_price(incoming, payables, q_suppliers, v_suppliers, price_in)
    future_out = future_price(outgoing, receivables, q_consumers, v_consumers, price_out)
    capacity = np.maximum(limits.capacity[0], n_lines)
    x_temporal = np.stack(
        [
            incoming / n_lines,
            outgoing / n_lines,
            consumed / n_lines,
            raw / q_scale,
            free / q_scale,
            balance_path / money,
            (future_in - price_in) / max(price_in, 1e-9),
            (future_out - price_out) / max(price_out, 1e-9),
            # Demand for what we sell (signed + consumers' bids) and supply offered to us.
            np.clip((outgoing + q_consumers) / capacity, 0.0, 1.0),
            np.clip((incoming + q_suppliers) / capacity, 0.0, 1.0),
        ],
        axis=1,
    )
    x_role = np.array([market.can_buy, market.can_sell], dtype=np.float32)
    assert x_static.shape == (len(STATIC_FEATURES),)
    assert x_temporal.shape[1] == len(TEMPORAL_FEATURES) and x_role.shape == (len(ROLE_FEATURES),)
    return {
        "x_static": finite_clipped(x_static),
        "X_temporal": finite_clipped(x_temporal),
        "x_role": x_role,
    }


def finite_clipped(values: np.ndarray) -> np.ndarray:
    clean = np.nan_to_num(values, nan=0.0, posinf=FEATURE_BOUND, neginf=-FEATURE_BOUND)
    return np.clip(clean, -FEATURE_BOUND, FEATURE_BOUND).astype(np.float32)
