"""Capacity, inventory trajectories, safe quantities and free budget (seed 000, section 5).

All functions take a batched :class:`~policies.shield.state.ShieldState` and return arrays with
the batch on axis 0; nothing loops over days or contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.shield.state import ShieldState


def capacity_vector(state: ShieldState) -> np.ndarray:
    """C_total[k], shape (B, H+1).

    The published storage capacity where there is one, else the dynamic bound
    ``n_lines * max(0, T - (t + k))``: raw material beyond what the lines can still process
    before the world ends is waste.
    """
    offsets = np.arange(state.horizon + 1, dtype=np.float64)
    days_left = state.n_steps[:, None] - (state.current_step[:, None] + offsets)
    dynamic = state.n_lines[:, None] * np.maximum(0.0, days_left)
    static = state.storage_capacity[:, None]
    return np.where(static != static, dynamic, static)  # x != x is NaN, without isnan's overhead


def expected_raw_inflow(state: ShieldState) -> np.ndarray:
    """Raw material arriving on each day: signed supplies plus expected exogenous input."""
    inflow = state.incoming.copy()
    inflow[:, 1:] += state.expected_exogenous_input[:, None]
    return inflow


def raw_material_trajectory(state: ShieldState, inflow: np.ndarray | None = None) -> np.ndarray:
    """L[k]: raw material left at the end of day t+k, shape (B, H+1).

    Lines consume up to ``n_lines`` a day, never more than there is: L is the running sum of
    (inflow - n_lines) reflected at zero, computed in closed form as ``S - min(0, cummin(S))``.
    """
    if inflow is None:
        inflow = expected_raw_inflow(state)
    running = state.inventory_input[:, None] + np.cumsum(inflow - state.n_lines[:, None], axis=1)
    return running - np.minimum(0.0, np.minimum.accumulate(running, axis=1))


def product_trajectory(
    state: ShieldState, raw_trajectory: np.ndarray, inflow: np.ndarray | None = None
) -> np.ndarray:
    """Finished product in hand at the end of day t+k after signed shipments, shape (B, H+1).

    Production is whatever raw material left the raw inventory; negative values mean signed
    sales that the factory cannot cover.
    """
    if inflow is None:
        inflow = expected_raw_inflow(state)
    net = np.cumsum(inflow - state.outgoing, axis=1) - raw_trajectory
    return (state.inventory_output + state.inventory_input)[:, None] + net


def reverse_cummin(values: np.ndarray) -> np.ndarray:
    """out[..., d] = min over k >= d of values[..., k]."""
    return np.minimum.accumulate(values[..., ::-1], axis=-1)[..., ::-1]


def safe_quantities(headroom: np.ndarray) -> np.ndarray:
    """Q_safe[d] = max(0, min_{k >= d} headroom[k]): a delivery on day d uses headroom on every later day.

    Days after the world's end carry NaN headroom: they constrain nothing and get Q_safe 0.
    """
    closed = headroom != headroom  # NaN
    safe = reverse_cummin(np.where(closed, np.inf, headroom))
    return np.where(closed, 0.0, np.maximum(0.0, safe))


def days_in_world(state: ShieldState) -> np.ndarray:
    """True where day t+k still exists (t + k < T), shape (B, H+1)."""
    offsets = np.arange(state.horizon + 1)
    return state.current_step[:, None] + offsets < state.n_steps[:, None]


def free_budget(state: ShieldState, reserve: float = 0.0) -> np.ndarray:
    """B_free = balance - reserve - sum of payables in the horizon, never below zero. Shape (B,)."""
    return np.maximum(0.0, state.balance - reserve - state.payables.sum(axis=1))


@dataclass(frozen=True)
class ShieldLimits:
    """The shield's verdict on one batch of states.

    ``buy_headroom``/``sell_headroom`` are the unclipped per-day slacks that reservation draws
    down (NaN after the world's end); ``safe_buy``/``safe_sell`` are their reverse cumulative
    minima (Q_safe).
    """

    capacity: np.ndarray
    raw_trajectory: np.ndarray
    product_trajectory: np.ndarray
    buy_headroom: np.ndarray
    sell_headroom: np.ndarray
    safe_buy: np.ndarray
    safe_sell: np.ndarray
    budget: np.ndarray


def compute_limits(state: ShieldState, reserve: float = 0.0) -> ShieldLimits:
    """All quantity and money limits for a batch of states."""
    capacity = capacity_vector(state)
    inflow = expected_raw_inflow(state)
    raw = raw_material_trajectory(state, inflow)
    product = product_trajectory(state, raw, inflow)
    # Days after the end of the world cannot receive deliveries and constrain nothing.
    in_world = days_in_world(state)
    buy_headroom = np.where(in_world, capacity - raw, np.nan)
    sell_headroom = np.where(in_world, product, np.nan)
    return ShieldLimits(
        capacity=capacity,
        raw_trajectory=raw,
        product_trajectory=product,
        buy_headroom=buy_headroom,
        sell_headroom=sell_headroom,
        safe_buy=safe_quantities(buy_headroom),
        safe_sell=safe_quantities(sell_headroom),
        budget=free_budget(state, reserve),
    )
