"""Weight-allocation MDP over advisors' votes (and, later, the hierarchical calibration env)."""

from envs.allocation.envs import AdvisorWeightsEnv, FusedDecisionEnv

__all__ = ["AdvisorWeightsEnv", "FusedDecisionEnv"]
