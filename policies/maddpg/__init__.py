"""MADDPG (centralized critics, decentralized actors) and its independent-DDPG ablation.

The actors are RLlib ``TorchRLModule``s, so a trained team can be served by RLlib; the update loop
is a compact torch trainer (see ``trainer.py`` for why).

The names below load on first use: every Hydra app reads ``MADDPGConfig`` through the config
schemas, and importing RLlib for it cost each of them seconds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policies.maddpg.actor import MADDPGActor
    from policies.maddpg.config import MADDPGConfig
    from policies.maddpg.replay import JointReplayBuffer
    from policies.maddpg.trainer import MADDPG
    from policies.maddpg.vector_env import ParallelEnvBatch

_HOMES = {
    "MADDPG": "trainer",
    "JointReplayBuffer": "replay",
    "MADDPGActor": "actor",
    "MADDPGConfig": "config",
    "ParallelEnvBatch": "vector_env",
}
__all__ = ["MADDPG", "JointReplayBuffer", "MADDPGActor", "MADDPGConfig", "ParallelEnvBatch"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
