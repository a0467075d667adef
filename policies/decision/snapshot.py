"""What a decision sees, as frozen snapshots built from a live AWI (or, offline, from records).

- :class:`DaySnapshot`: one factory at dawn (shield state and limits, market facts, live offers
  by delivery day). L2 plans from it; L3/L4 inputs use its limits and prices all day, so they can
  be rebuilt offline from the day's record.
- :class:`ThreadSnapshot`: the K threads of one decision (a round online, any batch offline): the
  agenda bounds, the offer on the table, the thread's earlier offers that day, and what was
  agreed or contracted as the round began.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from policies.decision.layouts import HISTORY_FEATURES, QUANTITY, TIME, UNIT_PRICE
from policies.decision.market_view import MarketView
from policies.shield import (
    ShieldLimits,
    ShieldState,
    StockAccounting,
    ThreadBounds,
    compute_limits,
    state_from_awi,
)

LIVE_OFFER_ROWS = 4  # quantity and value offered by suppliers, then by consumers, per delivery day


@dataclass(frozen=True)
class DaySnapshot:
    """One factory at the start of a day (a batch of one shield state)."""

    state: ShieldState
    limits: ShieldLimits
    market: MarketView
    catalog_price_out: float
    initial_balance: float
    n_steps: int
    live_offers: np.ndarray  # (4, H+1): see live_offers_by_day
    # The world's stock accounting as far as this factory knows: scml's until it has seen its raw
    # stock fall. The limits keep scml's model either way: the heuristic planning and shielding
    # with the consumed-stock model in a consuming world scored 0.046 less than with scml's
    # (experiments/reports/scml/evaluation/balanced_consumed_stock_control.md).
    stock_accounting: StockAccounting = StockAccounting.SCML

    def __post_init__(self) -> None:
        if self.state.batch_size != 1:
            raise ValueError(f"DaySnapshot holds one state, got a batch of {self.state.batch_size}")
        if self.live_offers.shape != (LIVE_OFFER_ROWS, self.state.horizon + 1):
            raise ValueError(
                f"DaySnapshot.live_offers has shape {self.live_offers.shape}, "
                f"expected ({LIVE_OFFER_ROWS}, {self.state.horizon + 1})"
            )

    @property
    def horizon(self) -> int:
        return self.state.horizon

    @property
    def world_consumes_stock(self) -> bool:
        """The factory has seen production use up raw stock: rules that lean on scml's
        never-falling stock are off."""
        return self.stock_accounting.consumes_stock

    @property
    def today(self) -> int:
        return int(self.state.current_step[0])

    @property
    def n_lines(self) -> float:
        return float(self.state.n_lines[0])

    @classmethod
    def from_awi(
        cls,
        awi: Any,
        horizon: int,
        initial_balance: float,
        reserve: float = 0.0,
        stock_accounting: StockAccounting = StockAccounting.SCML,
    ) -> DaySnapshot:
        state = state_from_awi(awi, horizon)
        return cls(
            state=state,
            limits=compute_limits(state, reserve),
            market=MarketView.from_awi(awi),
            catalog_price_out=float(awi.catalog_prices[awi.my_output_product]),
            initial_balance=float(initial_balance),
            n_steps=int(awi.n_steps),
            live_offers=live_offers_by_day(awi, horizon),
            stock_accounting=StockAccounting.parse(stock_accounting),
        )


def live_offers_by_day(awi: Any, horizon: int) -> np.ndarray:
    """(4, H+1): quantity and quantity-weighted value of the partners' standing offers by
    delivery offset, from suppliers (rows 0, 1) and from consumers (rows 2, 3)."""
    today = awi.current_step
    out = np.zeros((LIVE_OFFER_ROWS, horizon + 1))
    for row, offers in ((0, awi.current_buy_offers), (2, awi.current_sell_offers)):
        for offer in offers.values():
            if offer is None:
                continue
            k = offer[TIME] - today
            if 0 <= k <= horizon:
                out[row, k] += offer[QUANTITY]
                out[row + 1, k] += offer[QUANTITY] * offer[UNIT_PRICE]
    return out


@dataclass(frozen=True)
class ThreadSnapshot:
    """K negotiation threads at one decision; every array has K rows.

    ``offer`` holds (quantity, delivery offset, unit price) of the offer on the table (zeros where
    ``has_offer`` is False). ``history`` (K, L, 4) holds the thread's earlier offers of the day
    (oldest first, right-aligned; columns :data:`HISTORY_FEATURES`) with ``history_valid``.
    ``open_need`` is the day's need on the thread's side minus what was agreed on that side
    before the round; ``committed_at_delivery`` what is contracted on that side for the offer's
    delivery day; ``round_group`` puts offers answered together in one group.
    ``bounds.state_index`` points at the thread's day (0 online).
    """

    bounds: ThreadBounds
    reference_price: np.ndarray
    has_offer: np.ndarray
    offer: np.ndarray
    relative_time: np.ndarray
    open_need: np.ndarray
    committed_at_delivery: np.ndarray
    inventory_input: np.ndarray
    round_group: np.ndarray
    history: np.ndarray
    history_valid: np.ndarray

    def __post_init__(self) -> None:
        k = len(self.bounds)
        for name in (
            "reference_price",
            "has_offer",
            "relative_time",
            "open_need",
            "committed_at_delivery",
            "inventory_input",
            "round_group",
        ):
            if getattr(self, name).shape != (k,):
                raise ValueError(
                    f"ThreadSnapshot.{name} has shape {getattr(self, name).shape}, expected ({k},)"
                )
        if self.offer.shape != (k, 3):
            raise ValueError(
                f"ThreadSnapshot.offer has shape {self.offer.shape}, expected ({k}, 3)"
            )
        if (
            self.history.ndim != 3
            or self.history.shape[0] != k
            or self.history.shape[2] != len(HISTORY_FEATURES)
        ):
            raise ValueError(
                f"ThreadSnapshot.history has shape {self.history.shape}, expected ({k}, L, {len(HISTORY_FEATURES)})"
            )
        if self.history_valid.shape != self.history.shape[:2]:
            raise ValueError("ThreadSnapshot.history_valid must match history's first two axes")

    def __len__(self) -> int:
        return len(self.bounds)


def history_tensor(
    events: list[np.ndarray], q_max: np.ndarray, reference: np.ndarray, horizon: int, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """(K, L, 4) histories and (K, L) validity from each thread's earlier events.

    ``events[i]`` is an (m, 4) array of (quantity, delivery offset, unit price, ours) rows of
    thread i, oldest first; the last ``length`` are kept, right-aligned."""
    out = np.zeros((len(events), length, len(HISTORY_FEATURES)), dtype=np.float32)
    valid = np.zeros((len(events), length), dtype=bool)
    for i, rows in enumerate(events):
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, 4)[-length:] if length else rows[:0]
        if len(rows) == 0:
            continue
        scale = np.array([max(q_max[i], 1.0), horizon, max(reference[i], 1e-9), 1.0])
        out[i, length - len(rows) :] = rows / scale
        valid[i, length - len(rows) :] = True
    return out, valid
