"""Build seeded SCML std worlds with learner slots and opponents in fixed places."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scml.std import SCML2024StdWorld

from envs.scml.opponents import resolve_agent
from envs.scml.world_classes import world_class

MIN_WORLD_STEPS = 4  # scml's world generator fails on shorter worlds


def check_length_range(name: str, low: int, high: int) -> None:
    """Refuse a (min, max) range of world lengths that scml cannot build, naming ``name``."""
    if not MIN_WORLD_STEPS <= low <= high:
        raise ValueError(
            f"{name} must be (min, max) with {MIN_WORLD_STEPS} <= min <= max, got {[low, high]}"
        )


def draw_world_length(rng: np.random.Generator, lengths: tuple[int, int]) -> int:
    """A world length drawn uniformly from the inclusive range ``lengths``."""
    return int(rng.integers(lengths[0], lengths[1] + 1))


@dataclass
class WorldConfig:
    """Shape of the world and who plays in it.

    ``agents_per_process`` counts every factory on a level, learners included; opponents fill
    the non-learner places cycling through ``opponents`` in order, so placement is deterministic.
    Learners sit on ``learner_process`` (the middle level by default: it buys and sells), or,
    with ``learner_processes`` (a list of levels), ``n_learners`` on each of those levels (self-play
    at every position). With ``learner_process_choices`` the single-learner envs draw the
    learner's level from those levels at every reset (:meth:`for_episode`): one policy trained at
    every position.
    ``mode``: ``default`` runs scml's settings; ``training`` (see :func:`world_options`) drops
    wall-clock limits and records of finished negotiations: same scores, faster, and runs that
    replay exactly however busy the machine (relative time inside a negotiation then counts
    rounds only, and no negotiation draws on the clock's account: ``envs.scml.world_classes``).
    ``stock_accounting``: ``scml`` as shipped, or ``consumed`` (production uses up the raw stock
    it draws on: :class:`envs.scml.consumed_stock_world.ConsumedStockWorld`).
    """

    n_steps: int = 50
    n_processes: int = 3
    agents_per_process: int = 3
    learner_process: int = 1
    n_learners: int = 1
    learner_processes: list[int] | None = None
    learner_process_choices: list[int] | None = None
    opponents: list[str] = field(default_factory=lambda: ["GreedyStdAgent", "SyncRandomStdAgent"])
    log_dir: str = "runs/worlds"
    mode: str = "default"
    stock_accounting: str = "scml"

    def validate(self) -> None:
        if self.n_steps < MIN_WORLD_STEPS:
            raise ValueError(f"world.n_steps must be >= {MIN_WORLD_STEPS}, got {self.n_steps}")
        if self.n_processes < 2:
            raise ValueError(f"world.n_processes must be >= 2, got {self.n_processes}")
        key = "learner_process" if self.learner_processes is None else "learner_processes"
        for level in self.learner_levels:
            if not 0 <= level < self.n_processes:
                raise ValueError(f"world.{key} must be in [0, {self.n_processes - 1}], got {level}")
        for level in self.learner_process_choices or []:
            if not 0 <= level < self.n_processes:
                raise ValueError(
                    f"world.learner_process_choices must be in [0, {self.n_processes - 1}], "
                    f"got {level}"
                )
        if self.learner_process_choices is not None and (
            not self.learner_process_choices or self.learner_processes is not None
        ):
            raise ValueError(
                "world.learner_process_choices needs at least one level and no learner_processes"
            )
        if self.learner_processes is not None and (
            not self.learner_processes
            or len(set(self.learner_processes)) != len(self.learner_processes)
        ):
            raise ValueError(
                f"world.learner_processes must list distinct levels, got {self.learner_processes}"
            )
        if not 1 <= self.n_learners <= self.agents_per_process:
            raise ValueError(
                f"world.n_learners must be in [1, agents_per_process={self.agents_per_process}], "
                f"got {self.n_learners}"
            )
        if self.agents_per_process < 2:
            raise ValueError(
                f"world.agents_per_process must be >= 2, got {self.agents_per_process}"
            )
        if not self.opponents:
            raise ValueError("world.opponents must name at least one agent")
        world_class(self.stock_accounting)  # a clear error for an unknown accounting
        if self.mode not in WORLD_MODES:
            raise ValueError(f"world.mode must be one of {list(WORLD_MODES)}, got {self.mode!r}")

    def for_episode(self, rng: np.random.Generator) -> WorldConfig:
        """The config of one episode: the learner's level drawn from ``learner_process_choices``
        (uniformly, with the env's generator), or this config as it is."""
        if not self.learner_process_choices:
            return self
        level = int(rng.choice(np.asarray(self.learner_process_choices)))
        return replace(self, learner_process=level, learner_process_choices=None)

    def position(self, level: int) -> str:
        """The supply-chain position of ``level``: first, middle or last."""
        return "first" if level == 0 else "last" if level == self.n_processes - 1 else "middle"

    @property
    def learner_levels(self) -> list[int]:
        """The levels with learner slots (``learner_processes``, else ``[learner_process]``)."""
        if self.learner_processes is not None:
            return [int(level) for level in self.learner_processes]
        return [int(self.learner_process)]

    def layout(self) -> list[tuple[int, str | None]]:
        """(level, opponent name; None for a learner) of every factory, level by level: the
        learners take the first ``n_learners`` places of their levels and opponents fill the
        rest, cycling through ``opponents`` in order."""
        slots: list[tuple[int, str | None]] = []
        learner_levels, next_opponent = set(self.learner_levels), 0
        for process in range(self.n_processes):
            for place in range(self.agents_per_process):
                if process in learner_levels and place < self.n_learners:
                    slots.append((process, None))
                else:
                    slots.append((process, self.opponents[next_opponent % len(self.opponents)]))
                    next_opponent += 1
        return slots


WORLD_MODES = ("default", "training")
UNLIMITED = float("inf")


def world_options(mode: str) -> dict:
    """SCML2024StdWorld settings of a mode, and negmas's single-thread switch for its calls.

    Training mode: no wall-clock limits (world, negotiation, negotiation step), negotiator calls
    in this thread instead of a timed thread pool (``negmas.helpers.timeout.force_single_thread``,
    a process-wide switch: the last world built sets it), and no records of cancelled contracts
    or breaches. Signed contracts stay recorded: scml executes contracts from that record.
    Records of finished negotiations are switched off by :func:`build_world` after the world is
    made (scml's compact worlds hand negmas ``save_negotiations=True`` whatever they are given).
    """
    from negmas.helpers.timeout import force_single_thread

    if mode not in WORLD_MODES:
        raise ValueError(f"world mode must be one of {list(WORLD_MODES)}, got {mode!r}")
    force_single_thread(mode == "training")
    if mode == "default":
        return {}
    return {
        "time_limit": UNLIMITED,
        "neg_hidden_time_limit": UNLIMITED,
        "neg_step_time_limit": UNLIMITED,
        "save_cancelled_contracts": False,
        "save_resolved_breaches": False,
        "save_unresolved_breaches": False,
    }


def seed_everything(seed: int) -> None:
    """Seed the generators SCML and negmas draw from (python and numpy globals)."""
    random.seed(seed)
    np.random.seed(seed % (2**32))


def build_world(
    config: WorldConfig,
    learner_type: type,
    seed: int,
    one_offer_per_step: bool = False,
    name: str | None = None,
    learner_params: dict | None = None,
) -> tuple[SCML2024StdWorld, list[str]]:
    """A fresh world and the ids of its learner factories (in slot order).

    negmas keeps its logs and stats out of the way: ``no_logs``, ``saved_details_level=0`` and a
    log folder under ``config.log_dir``.
    """
    config.validate()
    opponent_types = {name: resolve_agent(name) for name in config.opponents}
    types: list[type] = []
    processes: list[int] = []
    params: list[dict] = []
    learner_slots: list[int] = []
    for process, opponent in config.layout():
        if opponent is None:
            learner_slots.append(len(types))
            types.append(learner_type)
            # scml hands `controller_params` to the agent object inside its adapter.
            params.append({"controller_params": dict(learner_params)} if learner_params else {})
        else:
            types.append(opponent_types[opponent])
            params.append({})
        processes.append(process)
    seed_everything(seed)
    world_type = world_class(config.stock_accounting, config.mode)
    world_config = world_type.generate(
        agent_types=types,
        agent_params=params,
        agent_processes=processes,
        n_processes=config.n_processes,
        n_steps=config.n_steps,
        random_agent_types=False,
    )
    log_folder = Path(config.log_dir).resolve()
    log_folder.mkdir(parents=True, exist_ok=True)
    world = world_type(
        **world_config,
        **world_options(config.mode),
        one_offer_per_step=one_offer_per_step,
        no_logs=True,
        saved_details_level=0,
        log_folder=str(log_folder),
        name=name or f"hrlxf-seed{seed}",
    )
    if config.mode == "training":
        # negmas flattens every finished negotiation into a record (through pandas, about a
        # fifth of a simulated day) when this public switch is on; nothing here reads them.
        world.save_negotiations = False
    ids = list(world.agents)
    return world, [ids[i] for i in learner_slots]


def unwrap_agent(world: SCML2024StdWorld, agent_id: str):
    """The agent object itself (scml wraps std agents in an adapter)."""
    agent = world.agents[agent_id]
    return getattr(agent, "_obj", agent)
