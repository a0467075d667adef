"""Shared fixtures. Tests write only under pytest's tmp_path, never into $HOME."""

import os
import tempfile

import pytest

# Libraries that cache under $HOME (matplotlib) get a throwaway folder when run outside run.sh.
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="hrlxf-mpl-"))


@pytest.fixture
def small_world(tmp_path) -> dict:
    """A short, small SCML world whose negmas logs stay inside tmp_path."""
    return {"n_steps": 5, "agents_per_process": 2, "log_dir": str(tmp_path / "worlds")}
