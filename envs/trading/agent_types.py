"""Heterogeneous trader types as configurations of reward and observation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AgentType:
    """What a trader type is paid for and what it watches.

    inventory_penalty: per step, times |position value| / initial cash (market makers stay flat).
    risk_aversion: times the squared step return (hedgers dislike variance).
    cooperation_weight: times the mean step return of the other traders.
    watches_messages: sees the other traders' positions and flows (else those inputs are 0).
    """

    name: str
    inventory_penalty: float = 0.0
    risk_aversion: float = 0.0
    cooperation_weight: float = 0.0
    watches_messages: bool = True


AGENT_TYPES: dict[str, AgentType] = {
    t.name: t
    for t in (
        AgentType("market_maker", inventory_penalty=0.002),
        AgentType("trend_follower"),
        AgentType("mean_reversion"),
        AgentType("arbitrageur", watches_messages=True),
        AgentType("hedger", risk_aversion=50.0),
        # One desk of a firm unwinding a block: paid for the firm's result (its own return and
        # the mean of its colleagues'), so a sale that hurts a colleague's fill costs it too.
        AgentType("liquidator", cooperation_weight=1.0),
    )
}
TYPE_NAMES = tuple(AGENT_TYPES)


def resolve_types(names: list[str] | tuple[str, ...]) -> list[AgentType]:
    unknown = [n for n in names if n not in AGENT_TYPES]
    if unknown:
        raise ValueError(f"unknown trader type(s) {unknown}; known: {list(TYPE_NAMES)}")
    return [AGENT_TYPES[n] for n in names]


def type_arrays(types: list[AgentType]) -> dict[str, np.ndarray]:
    """Per-agent parameters as arrays of shape (N,), plus a one-hot type code (N, n_types)."""
    one_hot = np.zeros((len(types), len(TYPE_NAMES)), dtype=np.float32)
    one_hot[np.arange(len(types)), [TYPE_NAMES.index(t.name) for t in types]] = 1.0
    return {
        "inventory_penalty": np.array([t.inventory_penalty for t in types]),
        "risk_aversion": np.array([t.risk_aversion for t in types]),
        "cooperation_weight": np.array([t.cooperation_weight for t in types]),
        "watches_messages": np.array([t.watches_messages for t in types], dtype=np.float64),
        "one_hot": one_hot,
    }
