"""Read a factory's open negotiation threads from a live AWI into :class:`ThreadBounds`."""

from __future__ import annotations

from typing import Any

from policies.shield.threads import ThreadBounds

QUANTITY, TIME, UNIT_PRICE = 0, 1, 2


def threads_from_awi(awi: Any, partners: list[str], horizon: int) -> ThreadBounds:
    """Bounds of the negotiations with ``partners`` (in that order).

    The agenda's absolute delivery times become offsets from today, limited to ``[0, horizon]``.
    """
    nmis = awi.current_nmis
    today = awi.current_step
    is_buy, lo, hi, q_max, p_min, p_max = [], [], [], [], [], []
    for partner in partners:
        nmi = nmis[partner]
        issues = nmi.outcome_space.issues
        is_buy.append(nmi.annotation["buyer"] == awi.agent.id)
        lo.append(min(max(issues[TIME].min_value - today, 0), horizon))
        hi.append(min(max(issues[TIME].max_value - today, 0), horizon))
        q_max.append(issues[QUANTITY].max_value)
        p_min.append(issues[UNIT_PRICE].min_value)
        p_max.append(issues[UNIT_PRICE].max_value)
    return ThreadBounds.build(is_buy, lo, hi, q_max, p_min, p_max)
