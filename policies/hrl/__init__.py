"""Learned layers of the HRL-XF hierarchy: L2 HorizonManager, L3
TemporalDecisionTransformer, L4 GlobalCoordinator; SB3 extractors and RLlib RLModules around them."""

from policies.hrl.global_coordinator import GlobalCoordinator
from policies.hrl.horizon_manager import HorizonManager, role_goal_mask
from policies.hrl.temporal_decision_transformer import CONTEXT_DIM, TemporalDecisionTransformer

__all__ = [
    "CONTEXT_DIM",
    "GlobalCoordinator",
    "HorizonManager",
    "TemporalDecisionTransformer",
    "role_goal_mask",
]
