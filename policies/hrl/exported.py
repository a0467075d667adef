"""Load an exported agent directory as an SCML agent class (numpy, torch and scml only)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import types
from pathlib import Path

from policies.hrl.bundle import HRLBundle

EXPORT_FORMAT = 1
EXPORT_FILES = ("agent.py", "export.json", "weights.pt", "config.json")
PACKAGE = "hrlxf_exports"  # exported agents live in sys.modules under this name


def module_name(path: Path) -> str:
    return f"{PACKAGE}.a{hashlib.sha1(str(path).encode()).hexdigest()[:12]}"


def load_agent_class(path: str | Path) -> type:
    """The agent class of an export directory; corrupt or mismatched exports are clear errors.

    The class is registered as ``hrlxf_exports.<id>.<ClassName>``, so scml can also refer to it by
    that import path (within this process) after this call.
    """
    root = Path(path).resolve()
    missing = [name for name in EXPORT_FILES if not (root / name).is_file()]
    if missing:
        raise ValueError(f"{root} is not an HRL-XF agent export: missing {missing}")
    try:
        meta = json.loads((root / "export.json").read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{root / 'export.json'} is corrupt: {error}") from error
    if meta.get("format") != EXPORT_FORMAT:
        raise ValueError(
            f"{root} has export format {meta.get('format')}, this code loads {EXPORT_FORMAT}"
        )
    HRLBundle.load(root)  # validates weights against config now, not in the middle of a world
    name = module_name(root)
    if name in sys.modules:
        return getattr(sys.modules[name], meta["class_name"])
    sys.modules.setdefault(PACKAGE, types.ModuleType(PACKAGE))
    spec = importlib.util.spec_from_file_location(name, root / "agent.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        agent_class = getattr(module, meta["class_name"])
    except Exception as error:
        del sys.modules[name]
        raise ValueError(
            f"{root / 'agent.py'} does not define {meta['class_name']}: {error}"
        ) from error
    return agent_class
