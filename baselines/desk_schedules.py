"""Scripted sale schedules for desks that unwind blocks on one market (envs.trading): the known
answers of the block-liquidation coordination task (conf/marl_task/block_liquidation.yaml).

Each desk either sells one block (its largest trade) in a bar or holds. The bar's clearing
price gives way to the bar's total flow, so desks that sell in the same bar pay for each
other's blocks; taking turns by desk index pays one block's impact a sale. A schedule reads
only what every desk observes (bars left, its own position) plus its index.
"""

from __future__ import annotations

import numpy as np

from envs.market.indicators import FEATURE_NAMES
from envs.trading.core import PORTFOLIO_FEATURES

_POSITION = len(FEATURE_NAMES) + PORTFOLIO_FEATURES.index("position_units")
_TIME_LEFT = len(FEATURE_NAMES) + PORTFOLIO_FEATURES.index("time_left")


def bar_index(observations: np.ndarray, horizon: int) -> np.ndarray:
    """The bar t of each observation (..., F): the core writes bars left, (horizon - 1 - t) / 100."""
    return np.rint(horizon - 1 - 100.0 * observations[..., _TIME_LEFT]).astype(int)


def turn_taking(observations: np.ndarray, horizon: int) -> np.ndarray:
    """Sell decisions (E, N) for observations (E, N, F): desk i sells in the bars t with
    t mod N = i while it still holds a long position."""
    n_desks = observations.shape[-2]
    turn = bar_index(observations, horizon) % n_desks == np.arange(n_desks)
    return turn & (observations[..., _POSITION] > 1e-9)


def everyone_every_bar(observations: np.ndarray, horizon: int) -> np.ndarray:
    """The naive schedule: every desk sells a block in every bar until it is flat."""
    return observations[..., _POSITION] > 1e-9


SCHEDULES = {"turn_taking": turn_taking, "everyone_every_bar": everyone_every_bar}
