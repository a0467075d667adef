"""Export a trained checkpoint as a self-contained SCML agent directory, and load it back.

    python -m experiments.export checkpoint=<run>/checkpoint name=HRLXFAgentBC out=<dir>

The directory holds ``export.json`` (format, class name, package, source checkpoint, stage
metrics) and one Python package named for the export (``hrlxf_<name>_<hash>``, the hash of its
weights, network config and vendored code, since one process imports a package name once): its
``__init__`` exposes the agent class, ``agent.py`` defines it, the weights and network config sit
beside it, and the runtime code it needs is copied in (:mod:`experiments.export.runtime`), so the
package runs with numpy, torch, scml and negmas alone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from baselines.heuristic.params import HeuristicParams
from experiments.export.runtime import copy_runtime, runtime_sources
from policies.decision.market_view import POSITIONS
from policies.hrl.bundle import CONFIG, WEIGHTS, HRLBundle
from policies.hrl.exported import EXPORT_FORMAT, HEURISTIC_KIND, LEARNED_KIND, load_agent_class

__all__ = ["export_agent", "export_heuristic", "load_agent_class"]

AGENT_TEMPLATE = '''"""HRL-XF exported agent {name} (generated; do not edit).

Learned L2/L3/L4 networks under the L1 shield, with the heuristic executor as the fallback of any
decision whose network step fails (counted in ``fallbacks``).{consumed_note}
"""

from pathlib import Path

from .baselines.heuristic.executor import HeuristicExecutor
from .policies.decision.agent import ExecutorStdAgent
from .policies.hrl.executor import LearnedExecutor

WEIGHTS_DIR = Path(__file__).resolve().parent


class {name}(ExecutorStdAgent):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("horizon", {horizon})
        kwargs.setdefault("history_length", {history_length})
        fallback = HeuristicExecutor({fallback_params})
        super().__init__(
            *args,
            executor=LearnedExecutor.load(
                WEIGHTS_DIR,
                consumed_world_planner={planner},
                consumed_world_positions={positions},
            ),
            fallback=fallback,
            **kwargs,
        )
'''
HEURISTIC_TEMPLATE = '''"""HRL-XF exported agent {name} (generated; do not edit).

The HRL-XF heuristic executor (planner L2, concession L3, need-driven L4 priorities) under the L1
shield, with the parameters recorded in export.json. No networks.
"""

from .baselines.heuristic.executor import HeuristicExecutor
from .policies.decision.agent import ExecutorStdAgent


class {name}(ExecutorStdAgent):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("horizon", {horizon})
        super().__init__(*args, executor=HeuristicExecutor({params}), **kwargs)
'''
# Where the day's goal comes from once the world is seen to consume stock (LearnedExecutor's
# consumed_world_planner and consumed_world_positions): the fallback's planner at the middle
# level (measured there: experiments/reports/scml/imitation/consumed_world_goals.md) or at every level, or L2
# itself (for networks trained in such worlds). Values: planner, positions, docstring note.
CONSUMED_WORLD_GOALS = {
    "fallback_at_middle": (
        "fallback",
        ("middle",),
        "\nOnce the world is seen to consume its raw stock, the heuristic plans the day goal of a\n"
        "middle factory.",
    ),
    "fallback": (
        "fallback",
        POSITIONS,
        "\nOnce the world is seen to consume its raw stock, the heuristic plans the day goal.",
    ),
    "learned": ("None", POSITIONS, ""),
}
# The layout of scml-agents' std submissions (scml_agents/scml2024/standard/team_penguin): the
# package exposes its agent in __all__ and as MAIN_AGENT, with the team's details beside it.
PACKAGE_INIT = '''"""HRL-XF exported agent {name} (generated; do not edit)."""

from .agent import {name}

MAIN_AGENT = {name}
__all__ = ["{name}"]

__author__ = ""
__team__ = ""
__email__ = ""
__version__ = "0.1.0"
'''


def package_name(name: str, checkpoint: Path | None, code: list[str]) -> str:
    """A package name unique to the export: the class name and a hash of the checkpoint's
    weights and config (None: the heuristic alone, no checkpoint) and of the code the export
    carries. The code counts: exports of one checkpoint made at two commits play different code,
    and a process that loaded one would otherwise take the other for it."""
    digest = hashlib.sha1()
    for file in (WEIGHTS, CONFIG) if checkpoint is not None else ():
        digest.update((checkpoint / file).read_bytes())
    for text in code:
        digest.update(text.encode())
    return f"hrlxf_{name.lower()}_{digest.hexdigest()[:10]}"


def export_heuristic(
    out: str | Path,
    name: str = "HRLXFHeuristic",
    heuristic: HeuristicParams | Mapping[str, Any] | None = None,
    horizon: int = 40,
) -> Path:
    """Write an export of the heuristic alone (no checkpoint): the same package layout and
    ``export.json`` (``kind: heuristic``), so packaging, evaluation and shipping treat it like
    any export. Its package name hashes the code it carries and its parameters."""
    if not name.isidentifier():
        raise ValueError(f"agent name must be a Python identifier, got {name!r}")
    params = HeuristicParams.from_dict(heuristic).to_dict()
    out = Path(out)
    agent_source = HEURISTIC_TEMPLATE.format(name=name, horizon=int(horizon), params=repr(params))
    package = package_name(name, None, [agent_source, PACKAGE_INIT, *runtime_sources()])
    meta = {
        "format": EXPORT_FORMAT,
        "kind": HEURISTIC_KIND,
        "class_name": name,
        "package": package,
        "checkpoint": None,
        "stage": "heuristic",
        "metrics": None,
        "horizon": int(horizon),
        "heuristic_params": params,
    }
    return _write_export(out, package, agent_source, name, meta, checkpoint=None)


def _write_export(
    out: Path,
    package: str,
    agent_source: str,
    name: str,
    meta: dict[str, Any],
    checkpoint: Path | None,
) -> Path:
    """The export directory, written to a temporary sibling and renamed into place, then loaded."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    root = tmp / package
    root.mkdir(parents=True)
    if checkpoint is not None:
        for file in (WEIGHTS, CONFIG):
            shutil.copy2(checkpoint / file, root / file)
    meta["runtime_modules"] = copy_runtime(root)
    (root / "agent.py").write_text(agent_source)
    (root / "__init__.py").write_text(PACKAGE_INIT.format(name=name))
    (tmp / "export.json").write_text(json.dumps(meta, indent=2))
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    load_agent_class(out)
    return out


def export_agent(
    checkpoint: str | Path,
    out: str | Path,
    name: str = "HRLXFAgent",
    consumed_world_goals: str = "fallback_at_middle",
    heuristic: HeuristicParams | Mapping[str, Any] | None = None,
) -> Path:
    """Write the export directory (to a temporary sibling, then renamed into place).

    ``consumed_world_goals``: who plans the day's goal once the world is seen to consume stock:
    ``"fallback_at_middle"`` (the heuristic at the middle level, L2 elsewhere; our collections
    run under scml's accounting, so L2 never saw such a world, and the heuristic's goals helped
    the learner only at the middle), ``"fallback"`` (the heuristic at every level) or
    ``"learned"`` (L2, for networks trained in such worlds).

    ``heuristic``: the parameters of the fallback executor (the defaults when None); recorded
    in ``export.json``.
    """
    if not name.isidentifier():
        raise ValueError(f"agent name must be a Python identifier, got {name!r}")
    if consumed_world_goals not in CONSUMED_WORLD_GOALS:
        raise ValueError(
            f"consumed_world_goals must be one of {sorted(CONSUMED_WORLD_GOALS)}, "
            f"got {consumed_world_goals!r}"
        )
    planner, positions, consumed_note = CONSUMED_WORLD_GOALS[consumed_world_goals]
    fallback_params = HeuristicParams.from_dict(heuristic).to_dict()
    checkpoint, out = Path(checkpoint), Path(out)
    config = HRLBundle.load(checkpoint).config  # refuse to export something that does not load
    source = json.loads((checkpoint / CONFIG).read_text())
    agent_source = AGENT_TEMPLATE.format(
        name=name,
        horizon=config.horizon,
        history_length=config.history_length,
        planner=planner,
        positions=f"({', '.join(json.dumps(position) for position in positions)},)",
        consumed_note=consumed_note,
        fallback_params=repr(fallback_params),
    )
    package = package_name(name, checkpoint, [agent_source, PACKAGE_INIT, *runtime_sources()])
    meta = {
        "format": EXPORT_FORMAT,
        "kind": LEARNED_KIND,
        "class_name": name,
        "package": package,
        "checkpoint": str(checkpoint.resolve()),
        "stage": source.get("stage"),
        "metrics": source.get("metrics"),
        "horizon": config.horizon,
        "consumed_world_goals": consumed_world_goals,
        "heuristic_params": fallback_params,
    }
    return _write_export(out, package, agent_source, name, meta, checkpoint)
