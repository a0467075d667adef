"""Which policy module acts for which agent of a multi-agent env (RLlib policy mapping).

``shared``: one module for every agent; ``per_type``: agents ``<type>_<k>`` share the module
``<type>`` (an agent without a numeric suffix gets its own); ``per_agent``: one each.
"""

from __future__ import annotations

SHARING = ("shared", "per_type", "per_agent")


def module_of(agent: str, sharing: str) -> str:
    """The module (policy) id that acts for ``agent``."""
    if sharing == "shared":
        return "shared"
    if sharing == "per_type":
        head, _, tail = agent.rpartition("_")
        return head if head and tail.isdigit() else agent
    if sharing == "per_agent":
        return agent
    raise ValueError(f"policy sharing must be one of {list(SHARING)}, got {sharing!r}")
