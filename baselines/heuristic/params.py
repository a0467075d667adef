"""The heuristic's parameters: one frozen, typed value shared by the agent, the executor, the
planner, the Hydra group ``conf/heuristic`` and the exports (recorded in ``export.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from policies.decision.market_view import POSITIONS


@dataclass(frozen=True)
class PerLevel:
    """A value per supply-chain position."""

    first: float
    middle: float
    last: float

    def at(self, position: str) -> float:
        if position not in POSITIONS:
            raise ValueError(f"position must be one of {POSITIONS}, got {position!r}")
        return float(getattr(self, position))

    @classmethod
    def of(cls, value: PerLevel | Mapping[str, float] | float) -> PerLevel:
        """A per-level value from a mapping of the three positions, or one number for all."""
        if isinstance(value, PerLevel):
            return value
        if isinstance(value, Mapping):
            missing = sorted(set(POSITIONS) - set(value))
            extra = sorted(set(value) - set(POSITIONS))
            if missing or extra:
                raise ValueError(
                    f"a per-level value names exactly {list(POSITIONS)}: "
                    f"missing {missing}, unknown {extra}"
                )
            return cls(**{position: float(value[position]) for position in POSITIONS})
        return cls(float(value), float(value), float(value))


# Fields that take one value per supply-chain position (in Python one number sets all three;
# a Hydra override names the position: heuristic.price_slack.first=0.2).
PER_LEVEL_FIELDS = ("production_target", "concession_exponent", "price_slack", "min_margin")


@dataclass(frozen=True)
class HeuristicParams:
    """Each parameter but ``stock_target`` is set per supply-chain position (:class:`PerLevel`; one
    number sets all three), so a search at one level changes nothing at the others.

    Args:
    production_target: fraction of the lines the plan keeps busy (L2).
    concession_exponent: L3's concession per position (> 1 concedes late, < 1 early); a
        first-level factory's supply is sunk and its rival sellers concede early, so it concedes
        early too (asking its limit at once, exponent 0, sold fewer units at a higher price:
        -0.047 [-0.082, -0.015], experiments/reports/scml/heuristic/first_level_concession.md).
    price_slack: how far past the trading price limit prices may go (L2).
    min_margin: the margin over production cost, as a share of the output price, that a unit
        bought and sold at the limits keeps (L2).
    stock_target: units of raw stock the plan builds once (None: ``production_target * n_lines``,
        and ``n_lines`` at the last level under scml's accounting; 0 turns stock building off).
    """

    production_target: PerLevel = field(default_factory=lambda: PerLevel.of(0.8))
    concession_exponent: PerLevel = field(
        default_factory=lambda: PerLevel(first=0.5, middle=2.0, last=2.0)
    )
    price_slack: PerLevel = field(default_factory=lambda: PerLevel.of(0.1))
    min_margin: PerLevel = field(default_factory=lambda: PerLevel.of(0.05))
    stock_target: float | None = None

    def __post_init__(self) -> None:
        for name in PER_LEVEL_FIELDS:  # from a config, export.json or one number
            try:
                object.__setattr__(self, name, PerLevel.of(getattr(self, name)))
            except (TypeError, ValueError) as error:
                raise ValueError(f"HeuristicParams.{name}: {error}") from error
        in_range = {
            "production_target": lambda v: 0.0 < v <= 1.0,
            "concession_exponent": lambda v: v >= 0.0,
            "price_slack": lambda v: 0.0 <= v < 1.0,
            "min_margin": lambda v: 0.0 <= v < 1.0,
        }
        checks = {
            f"{name}.{position}": ok(getattr(self, name).at(position))
            for name, ok in in_range.items()
            for position in POSITIONS
        }
        checks["stock_target"] = self.stock_target is None or self.stock_target >= 0.0
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"HeuristicParams: out of range: {bad} in {self.to_dict()}")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | HeuristicParams | None) -> HeuristicParams:
        """Parameters from a plain mapping (a config section, ``export.json``); unknown names
        are refused by name, missing ones take their defaults."""
        if values is None:
            return cls()
        if isinstance(values, HeuristicParams):
            return values
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"HeuristicParams: unknown parameter(s) {unknown}; known {sorted(known)}"
            )
        return cls(**dict(values))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
