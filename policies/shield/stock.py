"""How a world accounts for raw stock: the one notion every layer reads.

scml 0.8.4 adds to a factory's raw stock what a day's deliveries leave over after that day's
production, and never takes out what production draws from the stock (``remaining_in`` in scml's
world step; ``tests/test_shield_world_model.py`` pins it): a stock of ``n_lines`` units makes a
full day's product every later day. A corrected world, where production uses up the stock it
draws on, is an evaluation option (``envs.scml.consumed_stock_world``).

The world builder builds a world of one accounting; an agent assumes scml's until it sees its raw
stock fall, and from then on knows it plays in a world that consumes stock (``DaySnapshot``); the
shield can model either (``compute_limits``); the heuristic and the learned executor switch the
rules that lean on scml's never-falling stock off in a consuming world.
"""

from __future__ import annotations

from enum import Enum


class StockAccounting(str, Enum):  # noqa: UP042 - exports must run on Python 3.10 too
    """``scml``: production never reduces the raw stock. ``consumed``: it uses up what it draws."""

    SCML = "scml"
    CONSUMED = "consumed"

    @classmethod
    def parse(cls, value: str | StockAccounting, what: str = "stock accounting") -> StockAccounting:
        """The accounting named by ``value``; a clear error naming ``what`` otherwise."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"{what} must be one of {[a.value for a in cls]}, got {value!r}"
            ) from None

    @property
    def consumes_stock(self) -> bool:
        return self is StockAccounting.CONSUMED
