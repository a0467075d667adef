"""MADDPG (centralized critics, decentralized actors) and its independent-DDPG ablation.

The actors are RLlib ``TorchRLModule``s, so a trained team can be served by RLlib; the update loop
is a compact torch trainer (see ``trainer.py`` for why).
"""

from policies.maddpg.actor import MADDPGActor
from policies.maddpg.config import MADDPGConfig
from policies.maddpg.replay import JointReplayBuffer
from policies.maddpg.trainer import MADDPG
from policies.maddpg.vector_env import ParallelEnvBatch

__all__ = ["MADDPG", "JointReplayBuffer", "MADDPGActor", "MADDPGConfig", "ParallelEnvBatch"]
