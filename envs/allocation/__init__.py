"""Weight-allocation MDP over advisors' votes, and the hierarchical calibration env."""

from envs.allocation.calibration import CalibrationParallelEnv, calibration_parallel_env
from envs.allocation.envs import AdvisorWeightsEnv, FusedDecisionEnv

__all__ = [
    "AdvisorWeightsEnv",
    "CalibrationParallelEnv",
    "FusedDecisionEnv",
    "calibration_parallel_env",
]
