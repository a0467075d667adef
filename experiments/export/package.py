"""Zip an export as an SCML std-track submission.

    python -m experiments.export.package export=<export dir> out=agent.zip [team=... author=...]

The zip follows the layout of the std agents in scml-agents (e.g.
``scml_agents/scml2024/standard/team_penguin/__init__.py``): one Python package whose
``__init__`` exposes the agent class in ``__all__`` and as ``MAIN_AGENT`` with ``__author__``,
``__team__``, ``__email__`` and ``__version__``; beside it ``requirements.txt`` (what the agent
imports: numpy, torch, scml, negmas), ``README.md`` (the class to name, how to load it) and
``export.json``, so the unzipped folder is an export directory again (``export:<folder>``).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import hydra
from omegaconf import DictConfig

from experiments.schemas import register_schemas
from policies.hrl.exported import LEARNED_KIND, load_agent_class, read_export

REQUIREMENTS = ("numpy>=2,<3", "torch>=2.0", "scml==0.8.4", "negmas==0.16.0")
README = """# {name}: an HRL-XF agent for the SCML standard track

Agent class: `{package}.{name}` (also `{package}.MAIN_AGENT`).

    pip install -r requirements.txt
    python -c "from {package} import {name}"   # with this folder on sys.path

The package carries its own code{weights} and needs only the packages in requirements.txt.
{what}
"""
WHAT = {
    "learned": "Learned L2/L3/L4 networks decide under the L1 safety shield; a failing network step\n"
    "falls back to the heuristic executor (counted in `fallbacks`).\n\n"
    "Trained by HRL-XF (stage `{stage}`, checkpoint `{checkpoint}`).",
    "heuristic": "The HRL-XF heuristic executor decides under the L1 safety shield (parameters in\n"
    "export.json).",
}
METADATA = ("author", "team", "email", "version")


def package_export(
    export: str | Path, out: str | Path, metadata: dict[str, str] | None = None
) -> Path:
    """Write the submission zip (to a temporary name, then renamed); returns its path."""
    root, out = Path(export).resolve(), Path(out)
    load_agent_class(root)  # refuse to package an export that does not load
    meta = read_export(root)
    package, name = meta["package"], meta["class_name"]
    learned = meta.get("kind", LEARNED_KIND) == LEARNED_KIND
    unknown = sorted(set(metadata or {}) - set(METADATA))
    if unknown:
        raise ValueError(f"unknown submission field(s) {unknown}; known: {list(METADATA)}")
    init = (root / package / "__init__.py").read_text()
    for key, value in (metadata or {}).items():
        init = re.sub(
            rf'^__{key}__ = ".*"$', f"__{key}__ = {json.dumps(str(value))}", init, flags=re.M
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((root / package).rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            arcname = str(path.relative_to(root))
            if path.name == "__init__.py" and path.parent == root / package:
                archive.writestr(arcname, init)
            else:
                archive.write(path, arcname)
        archive.writestr("requirements.txt", "\n".join(REQUIREMENTS) + "\n")
        # Unzipped, the submission is an export directory again: experiments.tournament.evaluate
        # plays it as export:<folder>, the same package that was measured.
        archive.write(root / "export.json", "export.json")
        archive.writestr(
            "README.md",
            README.format(
                name=name,
                package=package,
                weights=(
                    f" and weights (`{package}/weights.pt`, `config.json`)" if learned else ""
                ),
                what=WHAT["learned" if learned else "heuristic"].format(
                    stage=meta.get("stage"), checkpoint=Path(str(meta.get("checkpoint"))).name
                ),
            ),
        )
    tmp.replace(out)
    return out


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="package")
def main(cfg: DictConfig) -> None:
    metadata = {key: str(cfg[key]) for key in METADATA}
    print(package_export(cfg.export, cfg.out, metadata))


if __name__ == "__main__":
    main()
