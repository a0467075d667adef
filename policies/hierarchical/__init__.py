"""Hierarchical supervisory and factor sub-agents of the calibration env.

The learned policies are RLlib modules trained by multi-agent PPO (one module per role, see
``experiments.markets.train_rllib_ppo marl_task=calibration``); ``RLlibTeam`` serves them from a
checkpoint, ``StaticCalibration`` is the no-calibration reference.
"""

from policies.hierarchical.static import StaticCalibration
from policies.hierarchical.team import RLlibTeam

__all__ = ["RLlibTeam", "StaticCalibration"]
