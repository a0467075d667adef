"""Tournament runner: validation, a real serial run, the parallel watchdog."""

import subprocess
import sys
from pathlib import Path

import pytest

from experiments.tournament.runner import TournamentSpec, run_tournament


@pytest.mark.parametrize(
    "spec,message",
    [
        (TournamentSpec(competitors=("HeuristicStdAgent",)), "at least 2 competitors"),
        (TournamentSpec(competitors=("HeuristicStdAgent", "Nobody")), "unknown agent 'Nobody'"),
        (
            TournamentSpec(competitors=("GreedyStdAgent", "PenguinAgent"), parallelism="fast"),
            "parallelism",
        ),
        (TournamentSpec(competitors=("GreedyStdAgent", "PenguinAgent"), n_steps=2), "n_steps >= 4"),
        (
            TournamentSpec(competitors=("GreedyStdAgent", "PenguinAgent"), competitors_per_world=3),
            "competitors_per_world",
        ),
    ],
)
def test_bad_specs_are_clear_errors(spec, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        run_tournament(spec, tmp_path)


@pytest.mark.slow
def test_serial_tournament_scores_every_competitor(tmp_path):
    spec = TournamentSpec(
        competitors=("HeuristicStdAgent", "GreedyStdAgent"), n_configs=1, n_steps=5
    )
    scores, failures = run_tournament(spec, tmp_path)
    assert failures == []
    names = set(scores["agent_type"].str.rsplit(".", n=1).str[-1])
    assert names == {"HeuristicStdAgent", "GreedyStdAgent"}
    assert scores["score"].notna().all()


@pytest.mark.slow
def test_parallel_watchdog_kills_and_reports_a_shard_past_its_timeout(tmp_path):
    spec = TournamentSpec(
        competitors=("HeuristicStdAgent", "GreedyStdAgent"),
        n_configs=1,
        n_steps=5,
        parallelism="parallel",
        shard_timeout_s=0.5,
    )
    scores, failures = run_tournament(spec, tmp_path)
    assert scores.empty
    assert len(failures) == 1 and failures[0]["shard"] == 0
    assert failures[0]["reason"].startswith("killed after")


def test_malformed_config_value_names_the_field():
    from omegaconf import OmegaConf

    from experiments.tournament.__main__ import spec_from_config

    cfg = OmegaConf.create(
        {
            "seed": 0,
            "tournament": {
                "competitors": ["HeuristicStdAgent", "GreedyStdAgent"],
                "n_configs": "four",
                "n_steps": 50,
                "n_runs_per_world": 1,
                "max_worlds_per_config": None,
                "competitors_per_world": None,
                "parallelism": "serial",
                "n_workers": 2,
                "shard_timeout_s": 60,
            },
        }
    )
    with pytest.raises(ValueError, match="tournament.n_configs must be int, got 'four'"):
        spec_from_config(cfg)


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (Linux /proc)."""
    import os

    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


@pytest.mark.slow
def test_terminating_a_parallel_tournament_stops_its_shards(tmp_path):
    import signal
    import time

    runner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "experiments.tournament",
            "tournament.competitors=[HeuristicStdAgent,GreedyStdAgent]",
            "tournament.n_configs=2",
            "tournament.n_steps=50",
            "tournament.parallelism=parallel",
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600  # generous: the tests share two cores
    shards = []
    while time.monotonic() < deadline and len(shards) < 2:
        time.sleep(0.5)
        shards = [
            c
            for c in _children(runner.pid)
            if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()
        ]
    assert len(shards) == 2, "the shards never started"
    runner.send_signal(signal.SIGTERM)
    runner.wait(timeout=60)
    time.sleep(1.0)
    alive = [s for s in shards if _is_running(s)]
    assert not alive, f"shards {alive} outlived the runner"


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
