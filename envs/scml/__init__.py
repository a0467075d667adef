"""SCML standard-track futures market environments."""

from envs.scml.daily_env import SCMLDailyEnv
from envs.scml.parallel_env import SCMLParallelEnv, parallel_env
from envs.scml.round_env import SCMLRoundEnv
from envs.scml.world_builder import WorldConfig

__all__ = ["SCMLDailyEnv", "SCMLParallelEnv", "SCMLRoundEnv", "WorldConfig", "parallel_env"]
