"""All shards of a collected dataset as three tables (days, events, deals) with a world column."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.collect.recorder import EXPERT_PLAY
from experiments.collect.shards import FORMAT_VERSION, MANIFEST, read_shard
from policies.shield.state import DAILY_FIELDS, SCALAR_FIELDS, ShieldState


@dataclass
class ExpertData:
    """Columns keyed by name (``day_*``, ``event_*``, ``deal_*`` as in the shards) plus
    ``day_world``/``event_world``/``deal_world``: the shard each row came from, and
    ``expert_final_score``/``expert_world``/``expert_agent``: each expert's score at the end,
    ``world_expert``/``world_level``: who played each world (indexed by world) and at which level,
    ``world_teacher``: the teacher whose answers label a DAgger world ("" for an expert's world).
    Shards written before events had a ``source`` get EXPERT_PLAY, before days had a
    ``teacher_goal`` NaN goals.
    """

    columns: dict[str, np.ndarray]
    config: dict

    @classmethod
    def load(
        cls, root: Path | str | list, experts_by_level: dict[int, str] | None = None
    ) -> ExpertData:
        """All shards of ``root`` (a dataset directory, or a list of them: DAgger aggregates the
        expert's dataset with every iteration's); with ``experts_by_level`` ({level: expert
        name}) only the worlds where that level's expert played (learn each position from its
        best expert). The config is the first dataset's."""
        if not isinstance(root, (str, Path)):  # a list (or Hydra ListConfig) of datasets
            roots = [Path(r) for r in root]
            if not roots:
                raise ValueError("no dataset given")
            parts = [cls.load(r, experts_by_level) for r in roots]
            return cls.concatenate(parts)
        root = Path(root)
        manifest_path = root / MANIFEST
        if not manifest_path.exists():
            raise ValueError(f"{root} is not a collected dataset (no {MANIFEST})")
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{root}: dataset format {manifest.get('format_version')}, this code reads {FORMAT_VERSION}"
            )
        names = sorted(manifest["shards"])
        if not names:
            raise ValueError(f"{root} holds no shards")
        wanted = {int(level): str(e) for level, e in (experts_by_level or {}).items()}
        parts: dict[str, list[np.ndarray]] = {}
        world_expert, world_level, world_teacher = [], [], []
        for name in names:
            shard = read_shard(root / name)
            meta = json.loads(str(shard["meta"])) if "meta" in shard else {}
            expert = str(meta.get("expert"))
            level = int(meta.get("world", {}).get("learner_process", -1))  # -1: not recorded
            if wanted and wanted.get(level) != expert:
                continue
            world = len(world_expert)
            world_expert.append(expert)
            world_level.append(level)
            world_teacher.append(str(meta.get("teacher", "")))
            if "event_source" not in shard:
                shard["event_source"] = np.full(len(shard["event_day"]), EXPERT_PLAY)
            if "day_teacher_goal" not in shard:
                shard["day_teacher_goal"] = np.full((len(shard["day_day"]), 4, 4), np.nan)
            for key, values in shard.items():
                if key.startswith(("day_", "event_", "deal_")):
                    parts.setdefault(key, []).append(values)
            for table, key in (
                ("day", "day_day"),
                ("event", "event_day"),
                ("deal", "deal_signed_day"),
            ):
                parts.setdefault(f"{table}_world", []).append(np.full(len(shard[key]), world))
            n_experts = len(shard["final_score"])
            parts.setdefault("expert_final_score", []).append(shard["final_score"])
            parts.setdefault("expert_world", []).append(np.full(n_experts, world))
            parts.setdefault("expert_agent", []).append(np.arange(n_experts))
        if not world_expert:
            played = sorted(
                {(s.get("level"), s.get("expert")) for s in manifest["shards"].values()}
            )
            raise ValueError(
                f"{root}: no world matches experts_by_level={wanted}; (level, expert) played: {played}"
            )
        columns = {k: np.concatenate(v) for k, v in parts.items()}
        columns["world_expert"] = np.array(world_expert)
        columns["world_level"] = np.array(world_level)
        columns["world_teacher"] = np.array(world_teacher)
        return cls(columns, manifest["config"])

    @classmethod
    def concatenate(cls, parts: list[ExpertData]) -> ExpertData:
        """One dataset of several, world indices renumbered in order."""
        columns: dict[str, list[np.ndarray]] = {}
        offset = 0
        for part in parts:
            for key, values in part.columns.items():
                if key.endswith("_world"):
                    values = values + offset
                columns.setdefault(key, []).append(values)
            offset += len(part.columns["world_expert"])
        return cls({k: np.concatenate(v) for k, v in columns.items()}, parts[0].config)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.columns[key]

    @property
    def n_days(self) -> int:
        return len(self.columns["day_day"])

    def shield_state(self) -> ShieldState:
        """Every day row's shield state, batched (row order)."""
        return ShieldState(
            **{name: self.columns[f"day_shield_{name}"] for name in (*SCALAR_FIELDS, *DAILY_FIELDS)}
        )

    def daily_rewards(self, gamma: float, shaping: bool) -> np.ndarray:
        """Reward of each day row: the score change over the day (to the final score on the last
        day), plus gamma * phi(next) - phi(now) when ``shaping``."""
        c = self.columns
        order = np.lexsort((c["day_day"], c["day_agent"], c["day_world"]))
        world, agent = c["day_world"][order], c["day_agent"][order]
        same_next = np.append((world[1:] == world[:-1]) & (agent[1:] == agent[:-1]), False)
        final = dict(
            zip(
                zip(c["expert_world"], c["expert_agent"], strict=True),
                c["expert_final_score"],
                strict=True,
            )
        )
        score, phi = c["day_score_before"][order], c["day_potential"][order]
        next_score = np.where(
            same_next,
            np.roll(score, -1),
            [final[(w, a)] for w, a in zip(world, agent, strict=True)],
        )
        next_phi = np.where(same_next, np.roll(phi, -1), 0.0)
        reward = next_score - score + ((gamma * next_phi - phi) if shaping else 0.0)
        out = np.empty_like(reward)
        out[order] = reward
        return out

    def returns_to_go(self, rewards: np.ndarray, gamma: float) -> np.ndarray:
        """Discounted return from each day row to the end of its expert's world."""
        c = self.columns
        order = np.lexsort((c["day_day"], c["day_agent"], c["day_world"]))
        out = np.zeros(len(rewards))
        running, last_key = 0.0, None
        for i in order[::-1]:
            key = (c["day_world"][i], c["day_agent"][i])
            running = rewards[i] + (gamma * running if key == last_key else 0.0)
            out[i], last_key = running, key
        return out

    def day_row(self, world: np.ndarray, agent: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Index of the day row of each (world, agent, day); -1 where there is none."""
        key = lambda w, a, d: (w * 1_000 + a) * 100_000 + d  # noqa: E731 - one integer per row
        own = key(self.columns["day_world"], self.columns["day_agent"], self.columns["day_day"])
        order = np.argsort(own)
        wanted = key(np.asarray(world), np.asarray(agent), np.asarray(day))
        pos = np.clip(np.searchsorted(own[order], wanted), 0, len(own) - 1)
        found = own[order][pos] == wanted
        return np.where(found, order[pos], -1)
