"""Play one world with recorded experts and write its shard (plain arguments: runs in a Ray task)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from envs.scml.opponents import resolve_agent
from envs.scml.session import WorldSession
from envs.scml.world_builder import WorldConfig
from experiments.collect.recorder import (
    EXPERT_PLAY,
    LEARNER_PLAY,
    TEACHER_LABEL,
    recording_class,
)
from experiments.collect.shards import write_shard
from policies.shield.state import DAILY_FIELDS, SCALAR_FIELDS


def level_of(awi: Any) -> int:
    return 0 if awi.is_first_level else 2 if awi.is_last_level else 1


def collect_world(
    world: dict[str, Any],
    expert: str | type,
    seed: int,
    horizon: int,
    shard: str,
    threads: int = 1,
    expert_params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run the world to its end; record every expert slot's day states, offers and deals, and
    the goal of each day where the expert states one (``goal_history``; NaN otherwise) and,
    for a DAgger agent, its teacher's goal of the day (``teacher_goal_history``). A DAgger agent (experiments.collect.dagger) adds its teacher's answers as event rows of source
    TEACHER_LABEL, its own play being LEARNER_PLAY; an expert's play is EXPERT_PLAY.

    Returns the shard's summary (rows per table). The shard appears only when complete.
    """
    import torch

    torch.set_num_threads(threads)
    config = WorldConfig(**world)
    config.validate()
    session = WorldSession(
        config, recording_class(resolve_agent(expert)), seed, horizon, learner_params=expert_params
    )
    experts = list(session.learner_ids)
    days: dict[str, list] = {
        k: []
        for k in (
            "agent",
            "day",
            "level",
            "x_static",
            "X_temporal",
            "x_role",
            "potential",
            "score_before",
            "needed_supplies",
            "needed_sales",
            "price_in",
            "price_out",
        )
    }
    days.update({f"shield_{name}": [] for name in (*SCALAR_FIELDS, *DAILY_FIELDS)})
    days["goal"], days["teacher_goal"] = [], []
    while not session.done:
        scores = session.scores()
        for index, agent_id in enumerate(experts):
            view = session.view(agent_id, scores)
            awi = session.awi(agent_id)
            days["agent"].append(index)
            days["day"].append(awi.current_step)
            days["level"].append(level_of(awi))
            for key in ("x_static", "X_temporal", "x_role"):
                days[key].append(view.observation[key])
            days["potential"].append(view.potential)
            days["score_before"].append(view.score)
            days["needed_supplies"].append(awi.needed_supplies)
            days["needed_sales"].append(awi.needed_sales)
            days["price_in"].append(awi.trading_prices[awi.my_input_product])
            days["price_out"].append(awi.trading_prices[awi.my_output_product])
            record = view.state.record()
            for name in (*SCALAR_FIELDS, *DAILY_FIELDS):
                days[f"shield_{name}"].append(record[name])
        session.step_day()
        for agent_id in experts:
            agent = session.agent(agent_id)
            for column, attribute in (
                ("goal", "goal_history"),
                ("teacher_goal", "teacher_goal_history"),
            ):
                history = getattr(agent, attribute, None)
                days[column].append(history[-1] if history else np.full((4, 4), np.nan))
    final = session.scores()
    agents = [session.agent(a) for a in experts]
    events = [
        (i, *row, LEARNER_PLAY if hasattr(agent, "hrlxf_labels") else EXPERT_PLAY)
        for i, agent in enumerate(agents)
        for row in agent.hrlxf_events
    ]
    events += [
        (i, *row, TEACHER_LABEL)
        for i, agent in enumerate(agents)
        for row in getattr(agent, "hrlxf_labels", [])
    ]
    deals = [(i, *row) for i, agent in enumerate(agents) for row in agent.hrlxf_deals]
    arrays = {f"day_{k}": np.asarray(v) for k, v in days.items()}
    arrays["final_score"] = np.array([final[a] for a in experts])
    arrays["agent_ids"] = np.array(experts)
    partners = partner_ids(events, deals)
    arrays["partner_ids"] = np.array(partners)
    index = {p: i for i, p in enumerate(partners)}
    arrays.update(table("event", EVENT_COLUMNS, events, index))
    arrays.update(table("deal", DEAL_COLUMNS, deals, index))
    name = expert if isinstance(expert, str) else f"{expert.__module__}.{expert.__qualname__}"
    meta = {"seed": seed, "expert": name, "world": world}
    if any(hasattr(agent, "hrlxf_labels") for agent in agents):
        meta["teacher"] = str((expert_params or {}).get("teacher", "default"))
    return write_shard(Path(shard), arrays, meta)


def partner_ids(events: list[tuple], deals: list[tuple]) -> list[str]:
    return sorted({row[2] for row in events} | {row[2] for row in deals})


EVENT_COLUMNS = (
    "agent",
    "day",
    "partner",
    "is_buy",
    "kind",
    "step",
    "relative_time",
    "quantity",
    "delivery_day",
    "unit_price",
    "response",
    "q_max",
    "t_min",
    "t_max",
    "p_min",
    "p_max",
    "agreed_today",
    "committed_at_delivery",
    "source",
)
DEAL_COLUMNS = (
    "agent",
    "signed_day",
    "partner",
    "is_buy",
    "quantity",
    "delivery_day",
    "unit_price",
)


def table(
    prefix: str, columns: tuple[str, ...], rows: list[tuple], partners: dict[str, int]
) -> dict[str, np.ndarray]:
    """Column arrays of a table; partner ids become indices into ``partner_ids``."""
    out = {}
    for k, column in enumerate(columns):
        values = [partners[row[k]] if column == "partner" else row[k] for row in rows]
        out[f"{prefix}_{column}"] = np.asarray(
            values,
            dtype=np.float64
            if column in ("relative_time", "unit_price", "p_min", "p_max")
            else np.int64,
        )
    return out
