"""Dataset layout: one NPZ shard per world and a manifest.

``<dataset>/manifest.json`` holds the format version, the generating config and one summary per
completed shard. Shards are written to a temporary name and renamed, so a shard that exists is
complete; an interrupted collection leaves at most ``*.tmp`` files, which the next run deletes
before it continues with the worlds that have no shard.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

# 2: events carry the agenda bounds; 3: and what was agreed before them; 4: and what is contracted
# for their delivery day, and sync agents' WAITs are no longer logged as counter-offers
FORMAT_VERSION = 4
MANIFEST = "manifest.json"


def shard_name(world_index: int) -> str:
    return f"world_{world_index:05d}.npz"


def summarize(arrays: dict[str, np.ndarray], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rows per table, and who played where: the expert, its level and its final scores (from
    ``meta``, else the shard's own ``meta`` array)."""
    if meta is None:
        meta = json.loads(str(arrays["meta"])) if "meta" in arrays else {}
    return {
        "days": int(len(arrays["day_day"])),
        "events": int(len(arrays["event_day"])),
        "deals": int(len(arrays["deal_signed_day"])),
        "experts": int(len(arrays["agent_ids"])),
        "expert": meta.get("expert"),
        "level": meta.get("world", {}).get("learner_process"),
        "seed": meta.get("seed"),
        "final_scores": [float(s) for s in arrays["final_score"]],
    }


def write_shard(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:  # an open handle: numpy would append .npz to a str name
        np.savez_compressed(handle, meta=np.array(json.dumps(meta)), **arrays)
    tmp.replace(path)
    return {"shard": path.name, **summarize(arrays, meta)}


class CorruptShardError(ValueError):
    """A dataset shard that cannot be read (truncated by a full disk or a killed copy)."""


def read_shard(path: Path) -> dict[str, np.ndarray]:
    """The arrays of one shard; a shard that cannot be read raises :class:`CorruptShardError`
    naming it and what to do, not numpy's error about some zip member."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise CorruptShardError(
            f"dataset shard {path} cannot be read ({type(error).__name__}: {error}). It is "
            "truncated or corrupt: delete it and rerun the same collection command into the same "
            "dataset_dir, which collects that world again."
        ) from error


class Manifest:
    """The manifest of one dataset directory; ``config`` must match on resume."""

    def __init__(self, root: Path, config: dict[str, Any]) -> None:
        self.root, self.config = Path(root), config
        self.path = self.root / MANIFEST
        self.shards: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            saved = json.loads(self.path.read_text())
            if saved.get("format_version") != FORMAT_VERSION:
                raise ValueError(
                    f"{self.path}: format version {saved.get('format_version')}, this code writes {FORMAT_VERSION}"
                )
            if saved["config"] != config:
                raise ValueError(
                    f"{self.root} holds a dataset generated with a different config; collect into a new directory.\n"
                    f"  saved: {saved['config']}\n  now:   {config}"
                )
            self.shards = saved["shards"]
        self.root.mkdir(parents=True, exist_ok=True)
        for stale in self.root.glob("*.tmp"):
            stale.unlink()
        for shard in sorted(self.root.glob("world_*.npz")):  # complete shards the manifest missed
            if shard.name not in self.shards:
                self.shards[shard.name] = {"shard": shard.name, **summarize(read_shard(shard))}
        self.save()

    def done(self, name: str) -> bool:
        return name in self.shards and (self.root / name).exists()

    def add(self, summary: dict[str, Any]) -> None:
        self.shards[summary["shard"]] = summary
        self.save()

    def save(self) -> None:
        text = json.dumps(
            {"format_version": FORMAT_VERSION, "config": self.config, "shards": self.shards},
            indent=2,
        )
        tmp = self.path.with_name(MANIFEST + ".tmp")
        tmp.write_text(text)
        tmp.replace(self.path)

    def totals(self) -> dict[str, int]:
        keys = ("days", "events", "deals")
        return {k: sum(s[k] for s in self.shards.values()) for k in keys} | {
            "worlds": len(self.shards)
        }
