"""PettingZoo parallel environments named by a Hydra ``marl_task`` config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omegaconf import DictConfig, OmegaConf
from pettingzoo import ParallelEnv


def _simple_spread(**kwargs: Any) -> ParallelEnv:
    try:
        from mpe2 import simple_spread_v3
    except ImportError as err:  # mpe2 is a dev extra: the tests and comparisons need it
        raise ImportError("marl_task=simple_spread needs mpe2: pip install -e '.[dev]'") from err
    return simple_spread_v3.parallel_env(**kwargs)


def _trading(**kwargs: Any) -> ParallelEnv:
    from dataclasses import fields

    from envs.market.costs import CostModel
    from envs.trading import TradingConfig, parallel_env
    from envs.trading.data_source import DataSource

    settings = {f.name: kwargs.pop(f.name) for f in fields(TradingConfig) if f.name in kwargs}
    config = TradingConfig(
        **{
            **settings,
            "types": tuple(settings.get("types", TradingConfig().types)),
            "costs": CostModel(**settings.get("costs", {})),
        }
    )
    data = DataSource(**kwargs.pop("data", {}))
    return parallel_env(config=config, data=data, **kwargs)


def _calibration(**kwargs: Any) -> ParallelEnv:
    from envs.allocation import calibration_parallel_env

    return calibration_parallel_env(**kwargs)


BUILDERS: dict[str, Callable[..., ParallelEnv]] = {
    "calibration": _calibration,
    "simple_spread": _simple_spread,
    "trading": _trading,
    "liquidation": _trading,  # the trading simulator with a liquidation deadline (config)
    "block_liquidation": _trading,  # ... sold in blocks: the desks must take turns (config)
}


def env_factory(task: DictConfig) -> Callable[[], ParallelEnv]:
    """A no-argument constructor for the task's env (every call builds a fresh copy)."""
    if task.name not in BUILDERS:
        raise ValueError(f"unknown marl_task {task.name!r}; known: {sorted(BUILDERS)}")
    kwargs = OmegaConf.to_container(task.kwargs, resolve=True) if task.get("kwargs") else {}
    return lambda: BUILDERS[task.name](**kwargs)
