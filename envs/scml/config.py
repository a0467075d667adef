"""Turn user configuration (dicts from Hydra, or dataclasses) into a validated WorldConfig."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from envs.scml.world_builder import WorldConfig


def world_config(world: WorldConfig | dict[str, Any] | None) -> WorldConfig:
    """Accept a WorldConfig, a mapping of its fields, or None (defaults); reject unknown keys."""
    if world is None:
        return WorldConfig()
    if isinstance(world, WorldConfig):
        return world
    known = {f.name for f in fields(WorldConfig)}
    unknown = sorted(set(world) - known)
    if unknown:
        raise ValueError(f"unknown world option(s) {unknown}; known: {sorted(known)}")
    config = WorldConfig(**{k: (list(v) if k == "opponents" else v) for k, v in world.items()})
    config.validate()
    return config
