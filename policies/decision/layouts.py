"""Every feature layout of the SCML decision pipeline, named once.

Builders write these columns in this order, networks size themselves with ``len(...)`` and tests
read columns by name (``STATIC_FEATURES.index("balance")``).
"""

from __future__ import annotations

# L2 observation.
STATIC_FEATURES = (
    "balance",
    "inventory_input",
    "inventory_output",
    "progress",
    "n_lines",
    "production_cost",
    "price_in",
    "price_out",
    "incoming_total",
    "outgoing_total",
    "payables_total",
    "receivables_total",
)
TEMPORAL_FEATURES = (
    "incoming",
    "outgoing",
    "consumed",
    "raw_stock",
    "buy_headroom",
    "balance_path",
    "future_price_in",
    "future_price_out",
    "demand_for_output",
    "supply_of_input",
)
ROLE_FEATURES = ("can_buy", "can_sell")

# L3 thread history token: one earlier offer of the thread.
HISTORY_FEATURES = ("quantity", "delta", "unit_price", "ours")

# L3 context token: two layouts of one width (a proposal and an answer).
PROPOSAL_CONTEXT = (
    "is_buy",
    "baseline_quantity",
    "baseline_unit_price",
    "baseline_delta",
    "offer_quantity",
    "offer_delta",
    "offer_unit_price",
    "has_offer",
    "unused_0",
    "unused_1",
    "unused_2",
    "unused_3",
    "unused_4",
)
ROUND_FEATURES = ("side_total_vs_need", "price_rank", "better_before_vs_need")
STOCK_FEATURES = ("committed_at_delivery", "inventory_input")
ANSWER_CONTEXT = (
    "is_buy",
    "relative_time",
    "open_need",
    "price_vs_goal",
    "offer_quantity",
    "offer_delta",
    "offer_unit_price",
    "one",
    *ROUND_FEATURES,
    *STOCK_FEATURES,
)
CONTEXT_DIM = len(ANSWER_CONTEXT)
assert len(PROPOSAL_CONTEXT) == CONTEXT_DIM

# L4 coordinator: one row per thread of a round (the offer on the table, else the L1 baseline).
COORDINATOR_FEATURES = ("is_buy", "quantity", "delta", "unit_price", "relative_time")

# Self-play observations for a centralised critic (MAPPO) carry every learner's L2 observation
# under this key (envs.scml.parallel_env, policies.hrl.rllib_modules.CentralCriticPlannerModule).
CRITIC_STATE = "critic"

# Offers as SCML tuples.
QUANTITY, TIME, UNIT_PRICE = 0, 1, 2
