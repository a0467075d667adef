"""L1 safety shield: pure numpy limits that keep every policy from overbuying or overspending.

Typical online use::

    state = state_from_awi(awi, horizon=40)
    limits = compute_limits(state, reserve=0.0)
    offers = clip_action(q, p, delta, limits, threads)
"""

from policies.shield.awi_threads import threads_from_awi
from policies.shield.baseline import baseline_action
from policies.shield.clip import Offers, clip_action, nearest_allowed
from policies.shield.limits import (
    ShieldLimits,
    capacity_vector,
    compute_limits,
    free_budget,
    production,
    raw_material_trajectory,
    reverse_cummin,
    safe_quantities,
    safe_sell_quantities,
    sell_room,
)
from policies.shield.reservation import reserve
from policies.shield.responses import ACCEPT, COUNTER, END, shielded_responses
from policies.shield.state import ShieldState, state_from_awi
from policies.shield.stock import StockAccounting
from policies.shield.threads import ThreadBounds
from policies.shield.time_mask import logit_mask, thread_budgets, thread_safe_quantities, time_mask

__all__ = [
    "ACCEPT",
    "COUNTER",
    "END",
    "shielded_responses",
    "Offers",
    "ShieldLimits",
    "ShieldState",
    "StockAccounting",
    "ThreadBounds",
    "baseline_action",
    "capacity_vector",
    "clip_action",
    "compute_limits",
    "free_budget",
    "logit_mask",
    "nearest_allowed",
    "production",
    "raw_material_trajectory",
    "reserve",
    "reverse_cummin",
    "safe_quantities",
    "safe_sell_quantities",
    "sell_room",
    "state_from_awi",
    "thread_budgets",
    "threads_from_awi",
    "thread_safe_quantities",
    "time_mask",
]
