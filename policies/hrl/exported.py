"""Load an exported agent directory as an SCML agent class.

An export holds ``export.json`` and one package (``export.json["package"]``) that carries its
own runtime code; loading registers that package in ``sys.modules`` under its unique name, so
scml can name the class as ``<package>.agent.<ClassName>`` in this process.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from policies.hrl.bundle import HRLBundle

EXPORT_FORMAT = 2
LEARNED_KIND, HEURISTIC_KIND = "learned", "heuristic"  # export.json "kind" (absent: learned)
PACKAGE_FILES = {
    LEARNED_KIND: ("__init__.py", "agent.py", "weights.pt", "config.json"),
    HEURISTIC_KIND: ("__init__.py", "agent.py"),
}


def read_export(root: Path) -> dict:
    """``export.json`` of an export directory, checked; clear errors for anything else."""
    meta_path = root / "export.json"
    if not meta_path.is_file():
        raise ValueError(f"{root} is not an HRL-XF agent export: missing ['export.json']")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{meta_path} is corrupt: {error}") from error
    if meta.get("format") != EXPORT_FORMAT:
        raise ValueError(
            f"{root} has export format {meta.get('format')}, this code loads {EXPORT_FORMAT}; "
            "export the checkpoint again"
        )
    kind = meta.get("kind", LEARNED_KIND)
    if kind not in PACKAGE_FILES:
        raise ValueError(f"{root}: unknown export kind {kind!r}; known {sorted(PACKAGE_FILES)}")
    package = root / str(meta.get("package"))
    missing = [name for name in PACKAGE_FILES[kind] if not (package / name).is_file()]
    if missing:
        raise ValueError(
            f"{root} is not an HRL-XF agent export: missing {missing} in {package.name}"
        )
    return meta


def same_files(first: Path, second: Path) -> bool:
    """Whether two package folders hold the same files with the same bytes (caches aside)."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    return files(first) == files(second)


def load_agent_class(path: str | Path) -> type:
    """The agent class of an export directory; corrupt or mismatched exports are clear errors."""
    root = Path(path).resolve()
    meta = read_export(root)
    package, class_name = meta["package"], meta["class_name"]
    if meta.get("kind", LEARNED_KIND) == LEARNED_KIND:
        HRLBundle.load(root / package)  # validates weights against config now, not mid-world
    loaded = sys.modules.get(package)
    if loaded is not None:
        loaded_root = Path(loaded.__file__).resolve().parent
        if loaded_root != root / package and not same_files(loaded_root, root / package):
            raise ValueError(
                f"{root} holds package {package}, which this process already loaded from "
                f"{loaded_root.parent} with different files; a process imports a package name "
                "once: play them in separate processes, or export them again (package names now "
                "hash the vendored code, so exports of different code get different names)"
            )
    else:
        spec = importlib.util.spec_from_file_location(
            package,
            root / package / "__init__.py",
            submodule_search_locations=[str(root / package)],
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]
            raise ValueError(f"{root / package} does not load: {error}") from error
    try:
        return getattr(sys.modules[package], class_name)
    except AttributeError as error:
        raise ValueError(f"{root / package} does not define {class_name}") from error
