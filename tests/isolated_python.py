"""Run code in a Python that sees the third-party packages but not this repository, as a
tournament host that only unzipped a submission would (``python -S``: no .pth files, so no
editable install of this repository)."""

import subprocess
import sys
import sysconfig
from pathlib import Path

PRELUDE = """
import sys
sys.path[:] = [{folder!r}, {site!r}] + [p for p in sys.path if "site-packages" not in p]
for repo_package in ("policies", "baselines", "envs", "experiments"):
    try:
        __import__(repo_package)
    except ImportError:
        pass
    else:
        raise SystemExit(repo_package + " is importable: the run is not isolated")
"""


def run_isolated(code: str, folder: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``code`` with only ``folder`` (an unzipped submission) and site-packages importable."""
    prelude = PRELUDE.format(folder=str(folder), site=sysconfig.get_paths()["purelib"])
    return subprocess.run(
        [sys.executable, "-S", "-c", prelude + code],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
