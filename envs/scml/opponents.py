"""Agent types by name: SCML built-ins, past std-track winners, ours, or any importable class."""

from __future__ import annotations

import importlib
from typing import Any

# Short names users type in configs -> import paths. Winners come from scml-agents.
KNOWN_AGENTS: dict[str, str] = {
    "GreedyStdAgent": "scml.std.agents.GreedyStdAgent",
    "SyncRandomStdAgent": "scml.std.agents.SyncRandomStdAgent",
    "RandomStdAgent": "scml.std.agents.RandomStdAgent",
    "StdDoNothingAgent": "scml.std.agents.StdDoNothingAgent",
    "StdPlaceholder": "scml.std.agents.StdPlaceholder",
    "PenguinAgent": "scml_agents.scml2024.standard.team_penguin.PenguinAgent",
    "AS0": "scml_agents.scml2025.standard.team_atsunaga.AS0",
    "XenoSotaAgent": "scml_agents.scml2025.standard.team_253.XenoSotaAgent",
    "UltraSuperMiracleSoraFinalAgentZ": (
        "scml_agents.scml2025.standard.team_254.UltraSuperMiracleSoraFinalAgentZ"
    ),
    "HeuristicStdAgent": "baselines.heuristic.agent.HeuristicStdAgent",
}


EXPORT_PREFIX = "export:"


def import_path(name: str) -> str:
    """The import path of a known short name, of an exported agent (``export:<dir>``, loaded
    and registered on the way), or ``name`` itself if it looks like a path."""
    if name.startswith(EXPORT_PREFIX):
        from policies.hrl.exported import load_agent_class

        agent = load_agent_class(name[len(EXPORT_PREFIX) :])
        return f"{agent.__module__}.{agent.__name__}"
    if name in KNOWN_AGENTS:
        return KNOWN_AGENTS[name]
    if "." in name or ":" in name:
        return name.replace(":", ".")
    known = ", ".join(sorted(KNOWN_AGENTS))
    raise ValueError(f"unknown agent {name!r}; known agents: {known}; or give a module.Class path")


def resolve_agent(name: str | type) -> type:
    """The agent class for a short name, a ``module.Class``/``module:Class`` path, or a class."""
    if isinstance(name, type):
        return name
    path = import_path(name)
    module_name, _, class_name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        agent_type: Any = getattr(module, class_name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot import agent {name!r} from {path!r}: {error}") from error
    if not isinstance(agent_type, type):
        raise ValueError(f"agent {name!r} ({path}) is not a class")
    return agent_type
