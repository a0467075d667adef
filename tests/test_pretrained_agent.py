"""The agents shipped in ``policies/pretrained/<name>/``: each one's ``agent.zip`` is the
submission its card describes (same hash), and, unzipped, it plays in scml's own
``anac2024_std`` runner in a Python where this repository is not importable, with no fallback."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.isolated_python import run_isolated

PRETRAINED = Path(__file__).resolve().parents[1] / "policies" / "pretrained"
SHIPPED = sorted(p.name for p in PRETRAINED.iterdir() if (p / "agent.zip").exists())


def test_an_agent_is_shipped():
    assert SHIPPED, f"no agent.zip under {PRETRAINED}"


@pytest.mark.parametrize("name", SHIPPED)
def test_the_card_names_the_zip_it_ships(name):
    root = PRETRAINED / name
    card = json.loads((root / "card.json").read_text())
    digest = hashlib.sha256((root / "agent.zip").read_bytes()).hexdigest()
    assert card["zip_sha256"] == digest
    assert digest in (root / "MODEL_CARD.md").read_text()
    with zipfile.ZipFile(root / "agent.zip") as archive:
        names = archive.namelist()
        requirements = archive.read("requirements.txt").decode()
    assert f"{card['package']}/__init__.py" in names
    assert f"scml=={card['scml_version']}" in requirements
    if card["kind"] == "learned":
        assert (root / "checkpoint" / "weights.pt").exists()
    assert sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) < 8 * 2**20


TOURNAMENT = """
import logging, math, tempfile

class Fallbacks(logging.Handler):
    count = 0
    def emit(self, record):
        if "falling back" in record.getMessage():
            Fallbacks.count += 1

logging.getLogger().addHandler(Fallbacks(logging.WARNING))
import {package} as submission
from scml.utils import anac2024_std
from scml.std.agents import GreedyStdAgent
results = anac2024_std(
    competitors=[submission.MAIN_AGENT, GreedyStdAgent], n_configs=1, max_worlds_per_config=2,
    n_runs_per_world=1, n_steps=8, parallelism="serial", tournament_path=tempfile.mkdtemp(),
    compact=True, forced_logs_fraction=0.0, name="pretrained-check",
)
ours = results.scores[results.scores.agent_type.str.endswith(submission.MAIN_AGENT.__name__)]
assert len(ours) > 0 and all(math.isfinite(s) for s in ours.score), results.scores
assert Fallbacks.count == 0, Fallbacks.count
# the channel still reaches the handler after the tournament: a fallback would have been seen
logging.getLogger("{package}.policies.decision.agent").warning("probe: falling back")
assert Fallbacks.count == 1
print("ok", len(ours), float(ours.score.mean()))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_the_unzipped_agent_plays_scmls_own_tournament_runner(name, tmp_path):
    root = PRETRAINED / name
    package = json.loads((root / "card.json").read_text())["package"]
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(root / "agent.zip").extractall(unpacked)
    code = TOURNAMENT.format(package=package)
    result = run_isolated(code, unpacked)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout.splitlines()[-1].startswith("ok")  # scml's runner prints before it
