"""Export a trained checkpoint as a self-contained SCML agent directory, and load it back.

    python -m experiments.export checkpoint=<run>/checkpoint name=HRLXFAgentBC out=<dir>

The directory holds ``agent.py`` (the StdAgent class, bound to its own directory), the weights
and network config, and ``export.json`` (format, class name, source checkpoint, stage metrics).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from policies.hrl.bundle import CONFIG, WEIGHTS, HRLBundle
from policies.hrl.exported import EXPORT_FORMAT, load_agent_class

__all__ = ["export_agent", "load_agent_class"]

AGENT_TEMPLATE = '''"""HRL-XF exported agent {name} (generated; do not edit)."""

from pathlib import Path

from policies.hrl.agent import LearnedStdAgent


class {name}(LearnedStdAgent):
    bundle_dir = str(Path(__file__).resolve().parent)
'''


def export_agent(checkpoint: str | Path, out: str | Path, name: str = "HRLXFAgent") -> Path:
    """Write the export directory (to a temporary sibling, then renamed into place)."""
    if not name.isidentifier():
        raise ValueError(f"agent name must be a Python identifier, got {name!r}")
    checkpoint, out = Path(checkpoint), Path(out)
    bundle = HRLBundle.load(checkpoint)  # refuse to export something that does not load
    source = json.loads((checkpoint / CONFIG).read_text())
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for file in (WEIGHTS, CONFIG):
        shutil.copy2(checkpoint / file, tmp / file)
    (tmp / "agent.py").write_text(AGENT_TEMPLATE.format(name=name))
    meta = {
        "format": EXPORT_FORMAT,
        "class_name": name,
        "checkpoint": str(checkpoint.resolve()),
        "stage": source.get("stage"),
        "metrics": source.get("metrics"),
        "horizon": bundle.config.horizon,
    }
    (tmp / "export.json").write_text(json.dumps(meta, indent=2))
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    load_agent_class(out)
    return out
