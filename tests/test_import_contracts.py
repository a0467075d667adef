"""The import contracts of pyproject.toml ([tool.importlinter]) hold: dependencies point one way."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 kept, 0 broken" in result.stdout


def test_the_ground_floor_contract_names_every_other_experiments_module():
    """A new module under experiments/ joins the list of what experiments.common must not import."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    floor = next(c for c in contracts["contracts"] if c["source_modules"] == ["experiments.common"])
    here = ROOT / "experiments"
    modules = {
        f"experiments.{p.stem}"
        for p in here.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    } - {"experiments.common", "experiments.reports"}
    assert modules == set(floor["forbidden_modules"])
