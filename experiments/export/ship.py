"""Ship a checkpoint as the project's pretrained agent, so users can enter a tournament without
training:

    python -m experiments.export.ship checkpoint=<dir> name=<folder> class_name=HRLXFAgent
    python -m experiments.export.ship name=heuristic class_name=HRLXFHeuristic   # no checkpoint

writes ``policies/pretrained/<name>/``: ``checkpoint/`` (weights and network config; none for
the heuristic alone, :func:`export_heuristic`),
``agent.zip`` (the submission that :func:`export_agent` + :func:`package_export` build from it,
so it plays exactly as measured whatever changes later) and ``card.json`` (package, zip hash,
scml version, the fallback's heuristic parameters, the commit). ``MODEL_CARD.md`` beside them is
written by hand from the agent's evaluation and must quote the zip's hash
(``tests/test_pretrained_agent.py`` checks both). The folder is written to a temporary sibling
and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from baselines.heuristic.params import HeuristicParams
from experiments.common.run_context import git_revision
from experiments.export import export_agent, export_heuristic
from experiments.export.package import package_export
from experiments.schemas import register_schemas
from policies.hrl.bundle import CONFIG, WEIGHTS
from policies.hrl.exported import LEARNED_KIND, read_export

PRETRAINED = Path(__file__).resolve().parents[2] / "policies" / "pretrained"


def ship(
    checkpoint: str | Path | None,
    name: str,
    class_name: str = "HRLXFAgent",
    heuristic: HeuristicParams | Mapping[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
    root: Path = PRETRAINED,
) -> Path:
    """Write ``root/<name>/`` (checkpoint, agent.zip, card.json); returns the folder."""
    if not name.isidentifier():
        raise ValueError(f"pretrained agent folder name must be an identifier, got {name!r}")
    out = root / name
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="hrlxf-ship-") as work:
        if checkpoint is None:  # the heuristic alone
            exported = export_heuristic(Path(work) / "export", class_name, heuristic)
        else:
            (tmp / "checkpoint").mkdir()
            for file in (WEIGHTS, CONFIG):
                shutil.copy2(Path(checkpoint) / file, tmp / "checkpoint" / file)
            exported = export_agent(
                tmp / "checkpoint", Path(work) / "export", class_name, heuristic=heuristic
            )
        meta = read_export(exported)
        package_export(exported, tmp / "agent.zip", metadata)
    card = {
        "kind": meta.get("kind", LEARNED_KIND),
        "class_name": class_name,
        "package": meta["package"],
        "zip_sha256": hashlib.sha256((tmp / "agent.zip").read_bytes()).hexdigest(),
        "scml_version": version("scml"),
        "negmas_version": version("negmas"),
        "heuristic_params": meta["heuristic_params"],
        "consumed_world_goals": meta.get("consumed_world_goals"),
        "commit": git_revision(),
    }
    (tmp / "card.json").write_text(json.dumps(card, indent=2) + "\n")
    if (out / "MODEL_CARD.md").exists():  # the hand-written card stays until it is rewritten
        shutil.copy2(out / "MODEL_CARD.md", tmp / "MODEL_CARD.md")
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    return out


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="ship")
def main(cfg: DictConfig) -> None:
    metadata = {key: str(cfg[key]) for key in ("team", "author", "email", "version")}
    heuristic = OmegaConf.to_container(cfg.heuristic, resolve=True)
    print(ship(cfg.checkpoint, cfg.name, cfg.class_name, heuristic, metadata))


if __name__ == "__main__":
    main()
