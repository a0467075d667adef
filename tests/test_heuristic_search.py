"""The heuristic search: one Optuna study per position sharing each round's worlds (the
heuristic exported with the round's parameters against fixed rivals), baselines first, resumable,
tabled per study."""

import json
import sqlite3
import subprocess
import sys

import pytest
from hydra import compose, initialize_config_dir

from experiments.schemas import register_schemas
from experiments.tournament.heuristic_trial import run as run_trial
from tests.test_configs import CONF

TINY = [
    "balanced.n_configs=1",
    "balanced.n_steps=[8,10]",
    "balanced.agents_per_process=2",
    "balanced.fillers=[RandomStdAgent]",
    "balanced.ray_address=null",
    "balanced.competitors=[AS0,GreedyStdAgent]",
    "rivals.first=GreedyStdAgent",
    "rivals.middle=AS0",
]


def sweep(run_dir, n_trials):
    overrides = "[" + ",".join(f'"{o}"' for o in TINY) + "]"
    command = [
        sys.executable,
        "-m",
        "experiments.sweep",
        "sweep=heuristic",
        f"sweep.n_trials={n_trials}",
        "sweep.startup_trials=1",
        f"sweep.overrides={overrides}",
        f"hydra.run.dir={run_dir}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((run_dir / "sweep.json").read_text())


def trial_values(db, study):
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select t.number, p.param_name, p.param_value from trial_params p "
            "join trials t on t.trial_id = p.trial_id join studies s on s.study_id = t.study_id "
            "where s.study_name = ? and t.state = 'COMPLETE' order by t.number",
            (study,),
        ).fetchall()
    out = {}
    for number, name, value in rows:
        out.setdefault(number, {})[name] = value
    return out


@pytest.mark.slow
def test_studies_share_rounds_start_from_the_defaults_and_resume(tmp_path):
    run = tmp_path / "search"
    summary = sweep(run, 2)
    assert set(summary["studies"]) == {"first", "middle", "last"}
    assert all(study["complete_trials"] == 2 for study in summary["studies"].values())
    # round 0 is the defaults of every position; each study draws its own values after it
    first = trial_values(run / "study.db", "heuristic-first")
    middle = trial_values(run / "study.db", "heuristic-middle")
    assert first[0]["heuristic.concession_exponent.first"] == 0.5
    assert middle[0]["heuristic.concession_exponent.middle"] == 2.0
    assert middle[1]["heuristic.price_slack.middle"] != first[1]["heuristic.price_slack.first"]
    # one run of the app a round: the export plays with every study's values, each position
    # paired with its rival
    metrics = json.loads((run / "trials" / "1" / "metrics.json").read_text())
    params = metrics["heuristic_params"]
    assert params["price_slack"]["first"] == pytest.approx(first[1]["heuristic.price_slack.first"])
    assert params["price_slack"]["middle"] == pytest.approx(
        middle[1]["heuristic.price_slack.middle"]
    )
    assert {p: metrics["paired"][p]["rival"] for p in ("first", "middle", "last")} == {
        "first": "GreedyStdAgent",
        "middle": "AS0",
        "last": "AS0",
    }
    exported = json.loads((run / "trials" / "1" / "agent" / "export.json").read_text())
    assert exported["kind"] == "heuristic" and exported["heuristic_params"] == params
    # a rerun with a larger budget adds rounds to the same studies
    summary = sweep(run, 3)
    assert all(study["complete_trials"] == 3 for study in summary["studies"].values())
    assert sorted(p.name for p in (run / "trials").iterdir()) == ["0", "1", "2"]
    report = subprocess.run(
        [sys.executable, "-m", "experiments.sweep_report", f"sweep_dir={run}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.returncode == 0, report.stderr[-2000:]
    for position in ("first", "middle", "last"):
        assert f"study {position}: best by paired.{position}.diff" in report.stdout


def test_a_rival_that_does_not_play_is_refused_before_any_world(tmp_path):
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose("heuristic_trial", overrides=["rivals.middle=XenoSotaAgent"])
    with pytest.raises(ValueError, match="XenoSotaAgent"):
        run_trial(cfg, tmp_path / "trial")
    assert not (tmp_path / "trial").exists()


def test_a_parameter_in_two_studies_is_refused(tmp_path):
    from omegaconf import OmegaConf

    from experiments.sweep import check_preset

    space = {"type": "float", "low": 0.0, "high": 1.0}
    preset = OmegaConf.create(
        {
            "direction": "maximize",
            "params": {},
            "studies": {
                "a": {"objective": "x", "params": {"heuristic.price_slack.first": space}},
                "b": {"objective": "y", "params": {"heuristic.price_slack.first": space}},
            },
        }
    )
    with pytest.raises(ValueError, match="heuristic.price_slack.first"):
        check_preset(preset)


def preset(n_trials):
    from omegaconf import OmegaConf

    space = {"type": "float", "low": 0.0, "high": 1.0}
    return OmegaConf.create(
        {
            "name": "h",
            "app": "unused",
            "overrides": [],
            "params": {},
            "studies": {
                "first": {"objective": "a", "params": {"x": space}, "baseline": {"x": 0.5}},
                "last": {"objective": "b", "params": {"y": space}, "baseline": {"y": 0.25}},
            },
            "direction": "maximize",
            "n_trials": n_trials,
            "startup_trials": 10,
            "seed": 0,
            "worker": 0,
            "storage": None,
            "heartbeat_s": 60,
            "trial_timeout_s": 60,
            "keep_going": True,
        }
    )


def test_a_killed_round_is_run_again_and_a_resumed_study_draws_new_values(tmp_path, monkeypatch):
    """The round loop alone (the app replaced by its objective, a function of the values): a
    worker killed in round 0 leaves RUNNING trials; the rerun measures the baseline again
    instead of losing it, and a resumed study does not repeat the random values it drew."""
    import experiments.sweep as sweep_module

    def fake_round(sweep, trials, trial_dir):
        values = {
            n: sweep_module.suggest(t, k, s)
            for n, t in trials.items()
            for k, s in sweep.studies[n].params.items()
        }
        return {name: float(value) for name, value in values.items()}

    monkeypatch.setattr(sweep_module, "run_round", fake_round)
    config = preset(2)
    killed = sweep_module.study_for(config, tmp_path, "h-first", 0)
    killed.enqueue_trial({"x": 0.5})
    trial = killed.ask()
    trial.suggest_float("x", 0.0, 1.0)  # then the worker died
    sweep_module.run_rounds(config, tmp_path)
    first = sweep_module.study_for(config, tmp_path, "h-first", 0)
    done = first.get_trials(states=(sweep_module.optuna.trial.TrialState.COMPLETE,))
    assert done[0].params == {"x": 0.5} and len(done) == 2
    sweep_module.run_rounds(preset(4), tmp_path)
    xs = [
        t.params["x"]
        for t in first.get_trials(states=(sweep_module.optuna.trial.TrialState.COMPLETE,))
    ]
    assert len(xs) == 4 and len(set(xs)) == 4  # no random value drawn twice after the resume
