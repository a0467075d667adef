"""Observations of seed 000 section 3: x_static (12), X_temporal ((H+1) x 10), x_role (2).

Every feature is scaled to a small range and clipped into the declared Box, so observations
never leave their space (scml's own RL env does; ours must not). The shield's state and limits
are reused rather than recomputed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from policies.shield import ShieldLimits, ShieldState

N_STATIC = 12
N_TEMPORAL = 10
N_ROLE = 2
# Every feature lies in [-FEATURE_BOUND, FEATURE_BOUND] after scaling and clipping.
FEATURE_BOUND = 10.0
# Seed 000 section 3.3: future price = 0.6 signed VWAP + 0.3 live offers + 0.1 spot.
PRICE_WEIGHTS = (0.6, 0.3, 0.1)
QUANTITY, TIME, UNIT_PRICE = 0, 1, 2


def observation_space(horizon: int) -> spaces.Dict:
    def box(shape: tuple[int, ...], low: float = -FEATURE_BOUND) -> spaces.Box:
        return spaces.Box(low, FEATURE_BOUND, shape=shape, dtype=np.float32)

    return spaces.Dict(
        {
            "x_static": box((N_STATIC,)),
            "X_temporal": box((horizon + 1, N_TEMPORAL)),
            "x_role": spaces.Box(0.0, 1.0, shape=(N_ROLE,), dtype=np.float32),
        }
    )


def _live_offers(awi: Any, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quantities and quantity-weighted prices of partners' standing offers, by delivery day.

    Returns (q_from_suppliers, value_from_suppliers, q_from_consumers, value_from_consumers).
    """
    today = awi.current_step
    arrays = [np.zeros(horizon + 1) for _ in range(4)]
    for side, offers in ((0, awi.current_buy_offers), (2, awi.current_sell_offers)):
        for offer in offers.values():
            if offer is None:
                continue
            k = offer[TIME] - today
            if 0 <= k <= horizon:
                arrays[side][k] += offer[QUANTITY]
                arrays[side + 1][k] += offer[QUANTITY] * offer[UNIT_PRICE]
    return arrays[0], arrays[1], arrays[2], arrays[3]


def _future_price(
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


def build_observation(
    awi: Any, state: ShieldState, limits: ShieldLimits, initial_balance: float
) -> dict[str, np.ndarray]:
    """The L2 observation of one factory from its AWI and the shield's view of it."""
    horizon = state.horizon
    today = awi.current_step
    n_lines = max(float(state.n_lines[0]), 1.0)
    q_scale = n_lines * awi.horizon  # about what a factory can move in a negotiation horizon
    money = max(float(initial_balance), 1.0)
    price_in = float(awi.trading_prices[awi.my_input_product])
    price_out = float(awi.trading_prices[awi.my_output_product])
    price_ref = max(float(awi.catalog_prices[awi.my_output_product]), 1e-9)
    incoming, outgoing = state.incoming[0], state.outgoing[0]
    payables, receivables = state.payables[0], state.receivables[0]

    x_static = np.array(
        [
            state.balance[0] / money,
            state.inventory_input[0] / q_scale,
            state.inventory_output[0] / q_scale,
            today / max(awi.n_steps, 1),
            n_lines / 10.0,
            awi.profile.cost / price_ref,
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
        receivables - payables - consumed * awi.profile.cost
    )
    q_from_suppliers, v_from_suppliers, q_from_consumers, v_from_consumers = _live_offers(
        awi, horizon
    )
    future_in = _future_price(incoming, payables, q_from_suppliers, v_from_suppliers, price_in)
    future_out = _future_price(outgoing, receivables, q_from_consumers, v_from_consumers, price_out)
    capacity = np.maximum(limits.capacity[0], n_lines)
    X_temporal = np.stack(
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
            np.clip((outgoing + q_from_consumers) / capacity, 0.0, 1.0),
            np.clip((incoming + q_from_suppliers) / capacity, 0.0, 1.0),
        ],
        axis=1,
    )
    x_role = np.array([not awi.is_first_level, not awi.is_last_level], dtype=np.float32)
    return {
        "x_static": _finite_clipped(x_static),
        "X_temporal": _finite_clipped(X_temporal),
        "x_role": x_role,
    }


def _finite_clipped(values: np.ndarray) -> np.ndarray:
    clean = np.nan_to_num(values, nan=0.0, posinf=FEATURE_BOUND, neginf=-FEATURE_BOUND)
    return np.clip(clean, -FEATURE_BOUND, FEATURE_BOUND).astype(np.float32)
