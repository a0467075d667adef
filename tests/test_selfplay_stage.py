"""The self-play stage: learner slots at every level sharing one module, a PFSP league with
snapshots, the league saved for a resumed run, the bundle written back for export."""

import json

import pytest
import torch

from experiments.common.tensorboard_curves import read_scalars
from experiments.export import load_agent_class
from experiments.online.league import League
from policies.hrl.bundle import WEIGHTS
from tests.selfplay_cases import run_selfplay


@pytest.mark.slow
def test_selfplay_trains_the_shared_planner_against_a_growing_league(tmp_path):
    run = run_selfplay(
        tmp_path,
        "stage.env_steps=24",
        "stage.train_batch_size=12",
        "stage.minibatch_size=12",
        "stage.eval_episodes=1",
        "stage.snapshot_every=1",
        "stage.builtins=[GreedyStdAgent]",
        "stage.winners=[PenguinAgent]",
    )
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["stage"] == "selfplay" and metrics["env_steps"] >= 24
    league = League.load(run / "league.json")
    kinds = [m.kind for m in league.members]
    assert kinds[:2] == ["builtin", "winner"] and kinds.count("snapshot") == metrics["iterations"]
    # Every finished 6-day episode was booked to the member that filled the opponent slots.
    games = sum(m.games for m in league.members)
    assert games >= 1 and all(0 <= m.wins <= m.games for m in league.members)
    assert "| member |" in (run / "league_table.md").read_text()
    snapshot = next(m.name for m in league.members if m.kind == "snapshot")
    assert load_agent_class(snapshot.removeprefix("export:")).__name__.startswith("HRLXFSnapshot")
    before = torch.load(tmp_path / "ppo" / WEIGHTS, weights_only=True)
    after = torch.load(run / "checkpoint" / WEIGHTS, weights_only=True)
    changed = {k.split(".")[0] for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"manager"}
    # The learner moved with every update; successive updates' directions are compared.
    _, drift = read_scalars(run / "tensorboard", "losses/learner/policy_drift")
    _, cosine = read_scalars(run / "tensorboard", "losses/learner/update_cosine")
    assert len(drift) == metrics["iterations"] and all(d > 0 for d in drift)
    assert len(cosine) == metrics["iterations"] - 1 and all(-1 <= c <= 1 for c in cosine)
