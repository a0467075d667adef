"""Build an SCML environment from plain config mappings (Hydra groups env, world, opponents)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym

import envs  # noqa: F401 - registers the ids
from envs.scml.config import world_config

ENV_IDS = ("HRLXF/SCMLDaily-v0", "HRLXF/SCMLRound-v0")


def make_env(env: Mapping[str, Any], world: Mapping[str, Any], opponents: list[str]) -> gym.Env:
    """``env`` holds ``id`` and the env's keyword arguments; ``world`` the WorldConfig fields."""
    options = dict(env)
    env_id = options.pop("id", None)
    if env_id not in ENV_IDS:
        raise ValueError(f"env.id must be one of {list(ENV_IDS)}, got {env_id!r}")
    config = world_config({**dict(world), "opponents": list(opponents)})
    # No wrappers: callers reach the env's session and helpers (policies need them).
    return gym.make(env_id, world=config, disable_env_checker=True, **options).unwrapped
