"""The std world class of a stock accounting and a world mode.

Training mode's worlds replay exactly: negmas's ``Mechanism.step`` draws one number from
python's global generator each time a negotiation's wall-clock age passes a whole second (the
draw feeds a per-second ending chance, ``pend_per_second``, which scml leaves at 0). That draw
decides nothing, yet it shifts every later draw of the world, so a seeded world parted from
itself whenever a negotiation happened to run past a second: on a busy machine, in a long world
(``experiments/reports/scml/online/ppo_from_dagger/README.md``, "Replay"). In training mode,
which has no time limits either, each new negotiation is marked as having tried every second
already, so the world's draws are its seed's alone. The default mode keeps scml's behaviour.
"""

from __future__ import annotations

import math

from scml.std import SCML2024StdWorld

from envs.scml.consumed_stock_world import ConsumedStockWorld
from policies.shield.stock import StockAccounting

# negmas's own (name-mangled) record of the last whole second a mechanism drew for.
LAST_SECOND_TRIED = "_Mechanism__last_second_tried"


class ClockFreeNegotiations:
    """World mixin: no negotiation draws from the global generator on the wall clock's account."""

    def on_negotiation_start(self, info) -> None:
        super().on_negotiation_start(info)
        mechanism = info.mechanism
        if mechanism is not None:
            if not hasattr(mechanism, LAST_SECOND_TRIED):
                raise RuntimeError(
                    f"{type(mechanism).__name__} has no {LAST_SECOND_TRIED}: negmas changed; "
                    "check envs/scml/world_classes.py against its Mechanism.step"
                )
            setattr(mechanism, LAST_SECOND_TRIED, math.inf)


class ClockFreeStdWorld(ClockFreeNegotiations, SCML2024StdWorld):
    pass


class ClockFreeConsumedStockWorld(ClockFreeNegotiations, ConsumedStockWorld):
    pass


def world_class(
    stock_accounting: str | StockAccounting, mode: str = "default"
) -> type[SCML2024StdWorld]:
    """``scml`` (as shipped) or ``consumed`` stock accounting; ``training`` mode's worlds replay
    exactly (see the module's docstring), ``default`` ones are scml's."""
    consumed = StockAccounting.parse(stock_accounting).consumes_stock
    if mode == "training":
        return ClockFreeConsumedStockWorld if consumed else ClockFreeStdWorld
    return ConsumedStockWorld if consumed else SCML2024StdWorld
