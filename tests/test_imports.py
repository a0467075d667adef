"""Every package imports on its own, whatever is imported first (no circular imports)."""

import subprocess
import sys

import pytest

FIRST_IMPORTS = [
    "envs.trading.rules",
    "baselines.heuristic.agent",
    "envs",
    "envs.trading",
    "envs.scml",
    "policies.shield",
    "experiments.tournament.runner",
]


@pytest.mark.parametrize("module", FIRST_IMPORTS)
def test_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-1500:]
