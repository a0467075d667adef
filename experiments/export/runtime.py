"""Copy the agent runtime into an export under its own package name.

The runtime is the closure of this repository's modules that the exported agent imports (found
by reading their import statements), package ``__init__`` files included. Each copy's absolute
imports of ``policies``/``baselines`` become relative, so the copy runs under any package name:
two exports, and other teams' agents, load side by side in one process without this repository.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNTIME_ROOTS = ("policies.decision.agent", "policies.hrl.executor", "baselines.heuristic.executor")
RUNTIME_PACKAGES = ("policies", "baselines")
FORBIDDEN = ("envs", "experiments", "gymnasium", "pettingzoo", "ray", "stable_baselines3", "hydra")
_FROM_IMPORT = re.compile(r"^(\s*)from (policies|baselines)([.\s])", re.MULTILINE)


def module_file(name: str) -> Path:
    path = REPO / Path(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def imported_modules(path: Path) -> set[str]:
    """Our modules imported by a file (``from a.b import c`` yields a.b, and a.b.c if a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in RUNTIME_PACKAGES:
                    raise ValueError(f"{path}: use 'from {alias.name} import ...' in the runtime")
                if top in FORBIDDEN:
                    raise ValueError(f"{path}: the agent runtime must not import {top}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top in FORBIDDEN:
                raise ValueError(f"{path}: the agent runtime must not import {top}")
            if top in RUNTIME_PACKAGES:
                found.add(node.module)
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    if module_file(candidate).exists():
                        found.add(candidate)
    return found


def runtime_modules(roots: tuple[str, ...] = RUNTIME_ROOTS) -> list[str]:
    """Every module the roots need, with each one's parent packages, sorted."""
    todo, seen = list(roots), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += sorted(imported_modules(module_file(name)))
    return sorted(seen)


def relative_source(source: str, relative_path: Path) -> str:
    """``from policies.x import y`` -> ``from ...policies.x import y`` for a file at
    ``relative_path`` under the package root (one dot per folder, plus one)."""
    dots = "." * len(relative_path.parent.parts) + "."
    return _FROM_IMPORT.sub(lambda m: f"{m.group(1)}from {dots}{m.group(2)}{m.group(3)}", source)


def runtime_sources() -> list[str]:
    """The source of every runtime module, in :func:`runtime_modules` order (what an export
    carries, before its imports are made relative)."""
    return [module_file(name).read_text() for name in runtime_modules()]


def copy_runtime(target: Path) -> list[str]:
    """Write the runtime's modules under ``target`` (a package folder); returns their names."""
    names = runtime_modules()
    for name in names:
        source = module_file(name)
        relative = source.relative_to(REPO)
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(relative_source(source.read_text(), relative))
    return names
