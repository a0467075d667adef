"""What the L1 shield knows about one factory on one day, as batched numpy arrays.

The same :class:`ShieldState` is built online from a live AWI (:func:`state_from_awi`) and offline
from a logged record (:meth:`ShieldState.from_records`), so both paths run identical maths.
Day-indexed arrays have ``horizon + 1`` columns: column ``k`` is day ``current_step + k``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

SCALAR_FIELDS = (
    "current_step",
    "n_steps",
    "n_lines",
    "inventory_input",
    "inventory_output",
    "balance",
    "storage_capacity",
    "expected_exogenous_input",
)
DAILY_FIELDS = ("incoming", "outgoing", "payables", "receivables")


@dataclass(frozen=True)
class ShieldState:
    """Batched shield inputs.

    Scalars have shape ``(B,)``; daily arrays ``(B, H+1)``. ``storage_capacity`` is NaN where the
    world publishes none (SCML std), which selects the dynamic capacity formula.
    ``incoming``/``outgoing`` are signed raw-material arrivals and product shipments (exogenous
    ones of today included); ``payables``/``receivables`` the money they move.
    ``expected_exogenous_input`` is the daily raw-material inflow a first-level factory expects
    on future days (it cannot negotiate its supplies).
    """

    current_step: np.ndarray
    n_steps: np.ndarray
    n_lines: np.ndarray
    inventory_input: np.ndarray
    inventory_output: np.ndarray
    balance: np.ndarray
    storage_capacity: np.ndarray
    expected_exogenous_input: np.ndarray
    incoming: np.ndarray
    outgoing: np.ndarray
    payables: np.ndarray
    receivables: np.ndarray

    def __post_init__(self) -> None:
        batch = self.current_step.shape
        for name in SCALAR_FIELDS:
            value = getattr(self, name)
            if value.shape != batch:
                raise ValueError(f"ShieldState.{name} has shape {value.shape}, expected {batch}")
        daily = self.incoming.shape
        if len(daily) != 2 or daily[0] != batch[0] or daily[1] < 1:
            raise ValueError(f"ShieldState.incoming has shape {daily}, expected ({batch[0]}, H+1)")
        for name in DAILY_FIELDS:
            value = getattr(self, name)
            if value.shape != daily:
                raise ValueError(f"ShieldState.{name} has shape {value.shape}, expected {daily}")

    @property
    def horizon(self) -> int:
        """H: the last representable delivery offset."""
        return self.incoming.shape[1] - 1

    @property
    def batch_size(self) -> int:
        return self.current_step.shape[0]

    def record(self, index: int = 0) -> dict[str, Any]:
        """One state as a plain dict of floats and lists (JSON/Parquet friendly)."""
        out: dict[str, Any] = {name: float(getattr(self, name)[index]) for name in SCALAR_FIELDS}
        out.update({name: getattr(self, name)[index].tolist() for name in DAILY_FIELDS})
        return out

    @classmethod
    def from_records(cls, records: list[dict[str, Any]]) -> ShieldState:
        """Stack logged records (as written by :meth:`record`) into one batch."""
        if not records:
            raise ValueError("ShieldState.from_records needs at least one record")
        missing = [f.name for f in fields(cls) if f.name not in records[0]]
        if missing:
            raise ValueError(f"shield record is missing fields {missing}")
        values: dict[str, np.ndarray] = {}
        for name in SCALAR_FIELDS:
            values[name] = np.array([r[name] for r in records], dtype=np.float64)
        width = len(records[0]["incoming"])
        for name in DAILY_FIELDS:
            lengths = {len(r[name]) for r in records}
            if lengths != {width}:
                raise ValueError(
                    f"shield record field {name!r} has lengths {sorted(lengths)}, expected {width}"
                )
            values[name] = np.array([r[name] for r in records], dtype=np.float64)
        return cls(**values)


def _add_by_day(row: np.ndarray, by_day: dict[int, dict[str, int]], today: int) -> None:
    horizon = row.shape[0] - 1
    for day, by_partner in by_day.items():
        offset = day - today
        if 0 <= offset <= horizon:
            row[offset] += sum(by_partner.values())


def state_from_awi(awi: Any, horizon: int) -> ShieldState:
    """Read a live SCML std AWI into a batch of one.

    Signed contracts come from the AWI's own books (``supplies``/``sales`` for today,
    ``future_supplies``/``future_sales`` beyond); SCML std has no ``signed_contracts`` list.
    """
    today = awi.current_step
    # One allocation for the four day-arrays and one for the scalars: this runs every round.
    daily = np.zeros((4, 1, horizon + 1))
    incoming, outgoing, payables, receivables = daily
    _add_by_day(incoming[0], awi.future_supplies, today)
    _add_by_day(outgoing[0], awi.future_sales, today)
    _add_by_day(payables[0], awi.future_supplies_cost, today)
    _add_by_day(receivables[0], awi.future_sales_cost, today)
    exo_in_q = awi.current_exogenous_input_quantity
    incoming[0, 0] += awi.total_supplies + exo_in_q
    outgoing[0, 0] += awi.total_sales + awi.current_exogenous_output_quantity
    payables[0, 0] += sum(awi.supplies_cost.values()) + awi.current_exogenous_input_price
    receivables[0, 0] += sum(awi.sales_cost.values()) + awi.current_exogenous_output_price
    capacity = getattr(awi.profile, "storage_capacity", None)
    scalars = np.array(
        [
            today,
            awi.n_steps,
            awi.n_lines,
            awi.current_inventory_input,
            awi.current_inventory_output,
            awi.current_balance,
            np.nan if capacity is None else capacity,
            exo_in_q if awi.is_first_level else 0.0,
        ],
        dtype=np.float64,
    )[:, None]
    return ShieldState(*scalars, incoming, outgoing, payables, receivables)
