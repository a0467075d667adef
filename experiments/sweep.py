"""Hyper-parameter search with Optuna over any stage: a persistent study, shared by workers.

    python -m experiments.sweep sweep=awr_beta sweep.overrides='[dataset=<dir>]'
    python -m experiments.sweep sweep=ppo_lr sweep.overrides='[stage.init_from=<awr ckpt>]'
    python -m experiments.sweep sweep=awr_beta hydra.run.dir=<same dir>   # resume a killed sweep

A preset (``conf/sweep/*.yaml``) names the Hydra app a trial runs (``app``, e.g.
``experiments.train`` or ``experiments.online``), the overrides every trial shares, the search
space (``params``: float/int with low, high, log; categorical with choices), the objective (a
key of the app's metrics.json, dotted for nested values) and its direction. Each trial is one
run of the app in ``trials/<number>/``, composed by Hydra from the app's own config with the
trial's values as overrides (so its config is typed and recorded like any run), in its own
process. The study lives in an Optuna RDB storage (``sweep.storage``; default SQLite in the sweep
directory): a killed sweep resumes where it stopped (trials that lost their heartbeat are marked
failed and retried), and several workers, on one machine or many (a database URL all reach),
share one study (give each its own ``sweep.worker`` index: the sampler's seed). A study stops
once it holds ``n_trials`` complete trials (workers finishing together may add one or two
more). ``experiments.sweep_report`` tables the trials.

Several studies may share each run of the app (``studies``: name -> objective and params, e.g.
one study per supply-chain position): each round asks every study for its values, runs the app
once with all of them and tells each study its own objective. That fits objectives that each
depend only on their own study's parameters (the heuristic's per-position parameters, measured
per position in the same worlds), at a third of the cost of three sweeps. A study's ``baseline`` (param -> value) is its first
trial, so the values it starts from are measured on the same worlds as every other trial. Such a sweep runs one
worker; a killed one resumes, its unfinished round failed and run again. There is no pruning:
a trial's few configurations are one run of the app, and its objective is only known at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import hydra
import optuna
from omegaconf import DictConfig
from tqdm import tqdm

from experiments.common.run_context import prepare_run, write_atomic
from experiments.common.seeding import worker_seed
from experiments.schemas import register_schemas

TRIALS = "trials"


def suggest(trial: optuna.Trial, name: str, space: dict[str, Any]) -> Any:
    kind = space.get("type")
    if kind == "float":
        return trial.suggest_float(
            name, float(space["low"]), float(space["high"]), log=bool(space.get("log", False))
        )
    if kind == "int":
        return trial.suggest_int(
            name, int(space["low"]), int(space["high"]), log=bool(space.get("log", False))
        )
    if kind == "categorical":
        return trial.suggest_categorical(name, list(space["choices"]))
    raise ValueError(f"sweep.params.{name}: type must be float, int or categorical, got {kind!r}")


def metric(metrics: dict[str, Any], key: str) -> float:
    """A (dotted) key of a metrics.json, as a float; a clear error when absent."""
    value: Any = metrics
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ValueError(
                f"objective {key!r} is not in the trial's metrics (keys: {sorted(metrics)})"
            )
        value = value[part]
    return float(value)


def run_trial(sweep: DictConfig, trial: optuna.Trial, trial_dir: Path) -> float:
    values = {name: suggest(trial, name, space) for name, space in sweep.params.items()}
    overrides = [*sweep.overrides, *(f"{name}={value}" for name, value in values.items())]
    command = [sys.executable, "-m", sweep.app, f"hydra.run.dir={trial_dir}", *overrides]
    log = trial_dir / "trial.log"
    trial_dir.mkdir(parents=True, exist_ok=True)
    with log.open("w") as stream:
        done = subprocess.run(
            command, stdout=stream, stderr=subprocess.STDOUT, timeout=sweep.trial_timeout_s
        )
    if done.returncode != 0:
        raise RuntimeError(f"trial {trial.number} failed (exit {done.returncode}); see {log}")
    value = metric(json.loads((trial_dir / "metrics.json").read_text()), sweep.objective)
    trial.set_user_attr("dir", str(trial_dir))
    return value


def study_for(
    sweep: DictConfig, out: Path, name: str | None = None, index: int = 0
) -> optuna.Study:
    url = sweep.storage or f"sqlite:///{(out / 'study.db').resolve()}"
    storage = optuna.storages.RDBStorage(
        url,
        heartbeat_interval=sweep.heartbeat_s,
        grace_period=sweep.heartbeat_s * 2,
        heartbeat_stale_trial_callback=optuna.storages.RetryFailedTrialCallback(max_retry=1),
    )
    study = optuna.create_study(
        study_name=name or sweep.name,
        storage=storage,
        direction=sweep.direction,
        load_if_exists=True,
    )
    # Workers sharing a study need their own draws (sweep.worker), or they repeat each other;
    # a resumed study continues its draws (seeded past the trials it holds) instead of
    # repeating the random start-up values it already measured.
    stored = len(study.get_trials(deepcopy=False))
    study.sampler = optuna.samplers.TPESampler(
        seed=worker_seed(sweep.seed, sweep.worker, index) + stored,
        n_startup_trials=sweep.startup_trials,
    )
    return study


def complete(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def check_preset(sweep: DictConfig) -> None:
    if sweep.direction not in ("maximize", "minimize"):
        raise ValueError(f"sweep.direction must be maximize or minimize, got {sweep.direction!r}")
    if sweep.get("studies"):
        for name, study in sweep.studies.items():
            if not study.get("params") or not study.get("objective"):
                raise ValueError(f"sweep.studies.{name} needs an objective and params")
        if sweep.params:
            raise ValueError("sweep.params must be empty when sweep.studies name the parameters")
        shared = [
            key
            for key in {k for study in sweep.studies.values() for k in study.params}
            if sum(key in study.params for study in sweep.studies.values()) > 1
        ]
        if shared:
            raise ValueError(f"sweep.studies: parameters {sorted(shared)} are in several studies")
    else:
        if not sweep.params:
            raise ValueError("sweep.params is empty: name at least one parameter to search")
        if not sweep.objective:
            raise ValueError("sweep.objective is empty: name the metrics.json key to optimize")


def run(cfg: DictConfig) -> dict[str, Any]:
    sweep = cfg.sweep
    check_preset(sweep)
    out = prepare_run(cfg)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if sweep.get("studies"):
        return run_rounds(sweep, out)
    study = study_for(sweep, out)
    done_before = complete(study)
    bar = tqdm(total=sweep.n_trials, initial=done_before, desc="sweep trials", unit="trial")

    def objective(trial: optuna.Trial) -> float:
        value = run_trial(sweep, trial, out / TRIALS / str(trial.number))
        bar.update(1)
        return value

    # optimize() keeps each trial's heartbeat and, before each trial, marks the trials of killed
    # workers failed (the retry callback queues them again). Workers sharing the study stop when
    # it holds n_trials complete trials, whoever ran them.
    failures = (RuntimeError, ValueError, subprocess.TimeoutExpired) if sweep.keep_going else ()
    enough = optuna.study.MaxTrialsCallback(
        sweep.n_trials, states=(optuna.trial.TrialState.COMPLETE,)
    )
    if done_before < sweep.n_trials:  # at most 2 n_trials here: failures cannot loop forever
        study.optimize(objective, n_trials=2 * sweep.n_trials, callbacks=[enough], catch=failures)
    bar.close()
    best = study.best_trial
    summary = {
        "study": sweep.name,
        "objective": sweep.objective,
        "direction": sweep.direction,
        "complete_trials": complete(study),
        "best": {"number": best.number, "value": best.value, "params": best.params},
    }
    write_atomic(out / "sweep.json", json.dumps(summary, indent=2))
    print(json.dumps(summary))
    print(f"report: python -m experiments.sweep_report sweep_dir={out}")
    return summary


def run_round(sweep: DictConfig, trials: dict[str, optuna.Trial], trial_dir: Path) -> dict:
    """One run of the app with every study's values; each study's objective from its metrics."""
    overrides = list(sweep.overrides)
    for name, trial in trials.items():
        for key, space in sweep.studies[name].params.items():
            overrides.append(f"{key}={suggest(trial, key, space)}")
    trial_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", sweep.app, f"hydra.run.dir={trial_dir}", *overrides]
    with (trial_dir / "trial.log").open("w") as stream:
        done = subprocess.run(
            command, stdout=stream, stderr=subprocess.STDOUT, timeout=sweep.trial_timeout_s
        )
    if done.returncode != 0:
        raise RuntimeError(f"round in {trial_dir} failed (exit {done.returncode}); see trial.log")
    metrics = json.loads((trial_dir / "metrics.json").read_text())
    return {name: metric(metrics, str(sweep.studies[name].objective)) for name in trials}


def run_rounds(sweep: DictConfig, out: Path) -> dict[str, Any]:
    """Studies that share each run of the app (see the module doc), asked and told round by
    round until each holds ``n_trials`` complete trials."""
    studies = {
        name: study_for(sweep, out, f"{sweep.name}-{name}", index)
        for index, name in enumerate(sweep.studies)
    }
    for name, study in studies.items():  # the baseline's values first, on the same worlds
        baseline = sweep.studies[name].get("baseline")
        if baseline and not study.get_trials(deepcopy=False):
            study.enqueue_trial(dict(baseline))
    for study in studies.values():  # a killed worker's round: failed, and its values run again
        for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
            study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
            if trial.params:
                study.enqueue_trial(dict(trial.params))
    first = next(iter(studies.values()))
    n_trials, failed = sweep.n_trials, 0
    bar = tqdm(total=n_trials, initial=complete(first), desc="sweep rounds", unit="round")
    while min(complete(study) for study in studies.values()) < n_trials and failed < n_trials:
        trials = {name: study.ask() for name, study in studies.items()}
        trial_dir = out / TRIALS / str(trials[next(iter(trials))].number)
        try:
            values = run_round(sweep, trials, trial_dir)
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
            for name, trial in trials.items():
                studies[name].tell(trial, state=optuna.trial.TrialState.FAIL)
                baseline = dict(sweep.studies[name].get("baseline") or {})
                if baseline and trial.params == baseline:  # the reference is measured again
                    studies[name].enqueue_trial(baseline)
            if not sweep.keep_going:
                raise
            failed += 1
            print(f"round failed: {error}")
            continue
        for name, trial in trials.items():
            trial.set_user_attr("dir", str(trial_dir))
            studies[name].tell(trial, values[name])
        bar.update(1)
    bar.close()
    summary = {
        "study": sweep.name,
        "direction": sweep.direction,
        "studies": {
            name: {
                "objective": str(sweep.studies[name].objective),
                "complete_trials": complete(study),
                "best": {
                    "number": study.best_trial.number,
                    "value": study.best_trial.value,
                    "params": study.best_trial.params,
                    "dir": study.best_trial.user_attrs.get("dir"),
                },
            }
            for name, study in studies.items()
            if complete(study)
        },
    }
    write_atomic(out / "sweep.json", json.dumps(summary, indent=2))
    print(json.dumps(summary))
    print(
        f"report: python -m experiments.sweep_report sweep_dir={out} metric=<a study's objective>"
    )
    return summary


register_schemas()


@hydra.main(version_base="1.3", config_path="../conf", config_name="sweep")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
