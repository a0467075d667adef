"""Who carries out a factory's day: the executor protocol.

An executor sets the day's goal (:meth:`Executor.plan`) and decides every round's responses
(:meth:`Executor.respond`) from snapshots; it never touches the world. The agent that holds it
(:class:`policies.decision.agent.ExecutorStdAgent`) builds the snapshots and passes every
decision through the L1 shield. The heuristic (``baselines.heuristic.executor``) and the learned
networks (``policies.hrl.executor``) implement it; environments take one as an object or a
dotted path (:func:`resolve_executor`).
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from policies.decision.snapshot import DaySnapshot, ThreadSnapshot
from policies.l2_goal import Q_BUY, Q_SELL

# The default executor of the SCML environments (a dotted path: environments do not import
# baselines).
HEURISTIC_EXECUTOR = "baselines.heuristic.executor:HeuristicExecutor"


class Decision(NamedTuple):
    """Proposed responses for K threads, before the shield.

    ``kind``: ACCEPT (then quantity/price/delta repeat the offer), COUNTER or END
    (policies.shield). ``weights``: reservation priority (heavier first)."""

    kind: np.ndarray
    quantity: np.ndarray
    unit_price: np.ndarray
    delta: np.ndarray
    weights: np.ndarray


def goal_need_by_thread(goal: np.ndarray, secured: np.ndarray, is_buy: np.ndarray) -> np.ndarray:
    """(K, 4) units each thread's side of the (4, 4) ``goal`` still wants per delivery bucket:
    its quantities less what the day has secured (``secured``: (4, 2), bought and sold), at
    least 0."""
    need = np.maximum(0.0, goal[:, [Q_BUY, Q_SELL]] - secured)
    return need[:, np.where(is_buy, 0, 1)].T


@runtime_checkable
class Executor(Protocol):
    def plan(self, day: DaySnapshot) -> np.ndarray:
        """The physical goal (4, 4) for the day: per bucket Q_buy, P_buy, Q_sell, P_sell."""
        ...

    def respond(
        self, day: DaySnapshot, goal: np.ndarray, threads: ThreadSnapshot, secured: np.ndarray
    ) -> Decision:
        """Responses for the threads of one round; ``secured`` (4, 2) is what was bought and
        sold today per delivery bucket."""
        ...


def resolve_executor(spec: Any) -> Executor:
    """An executor from an instance, a class or factory function, a ``module:name`` /
    ``module.name`` path to one, or a mapping ``{"_target_": path, **kwargs}`` (Hydra style)."""
    kwargs: dict[str, Any] = {}
    if isinstance(spec, dict) or (hasattr(spec, "keys") and "_target_" in spec):
        kwargs = {k: v for k, v in dict(spec).items() if k != "_target_"}
        spec = dict(spec).get("_target_")
    if isinstance(spec, str):
        module_name, sep, attr = spec.replace(":", ".").rpartition(".")
        try:
            spec = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError) as error:
            raise ValueError(f"cannot import executor {spec!r}: {error}") from error
    if isinstance(spec, type) or (callable(spec) and not isinstance(spec, Executor)):
        spec = spec(**kwargs)  # a class or a factory function
    if not isinstance(spec, Executor):
        raise ValueError(f"{spec!r} is not an executor (needs plan() and respond())")
    return spec
