"""Multi-agent trading simulator: vectorized core, PettingZoo and gymnasium views."""

from envs.trading.core import MarketCore, TradingConfig
from envs.trading.data_source import DataSource
from envs.trading.parallel_env import TradingParallelEnv, parallel_env
from envs.trading.single_env import TradingEnv

__all__ = [
    "DataSource",
    "MarketCore",
    "TradingConfig",
    "TradingEnv",
    "TradingParallelEnv",
    "parallel_env",
]
