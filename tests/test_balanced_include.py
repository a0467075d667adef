"""Extending a position-balanced evaluation: ``balanced.first_config`` runs further
configurations of the same tournament and ``include`` joins earlier runs' worlds to the tables."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from experiments.schemas import register_schemas
from experiments.tournament import evaluate
from experiments.tournament.balanced import BalancedSpec, plan_worlds

CONF = Path(__file__).resolve().parents[1] / "conf"


def evaluation_config(*overrides: str):
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose("evaluate", ["balanced=smoke", "balanced.n_configs=1", *overrides])


def test_configurations_depend_only_on_their_index():
    spec = BalancedSpec(competitors=("A.A", "B.B", "C.C", "D.D"), n_configs=24, fillers=("F.F",))
    later = plan_worlds(replace(spec, n_configs=12, first_config=12))
    assert later == [p for p in plan_worlds(spec) if p.config >= 12]
    assert {p.config for p in later} == set(range(12, 24))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Configuration 0 in one run, configuration 1 in a second that includes the first."""
    root = tmp_path_factory.mktemp("evaluations")
    first = evaluate.run(evaluation_config(), root / "c0")
    second = evaluate.run(
        evaluation_config("balanced.first_config=1", f"include=[{root / 'c0'}]"), root / "c1"
    )
    return root, first, second


def test_an_included_run_joins_the_tables(runs):
    root, first, second = runs
    assert first["configs"] == 1 and second["configs"] == 2
    assert second["included"] == [str(root / "c0")]
    earlier = pd.read_csv(root / "c0" / "scores.csv")
    joined = pd.read_csv(root / "c1" / "scores.csv")
    assert sorted(set(joined.config)) == [0, 1]
    pd.testing.assert_frame_equal(
        joined[joined.config == 0].reset_index(drop=True), earlier, check_dtype=False
    )
    positions = pd.read_csv(root / "c1" / "positions.csv")
    assert (positions.configs == 2).all()


def test_joining_without_playing_reproduces_the_tables(runs, tmp_path):
    root, _, second = runs
    only = evaluate.run(
        evaluation_config("balanced.n_configs=0", f"include=[{root / 'c1'}]"), tmp_path / "t"
    )
    assert only["configs"] == 2 and only["verdicts"] == second["verdicts"]
    for table in ("positions.csv", "paired.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "t" / table), pd.read_csv(root / "c1" / table)
        )


def test_a_configuration_is_never_counted_twice(runs, tmp_path):
    root, _, _ = runs
    cfg = evaluation_config("balanced.n_configs=0", f"include=[{root / 'c0'},{root / 'c1'}]")
    with pytest.raises(ValueError, match="configuration 0 is in both .*c0 and .*c1"):
        evaluate.run(cfg, tmp_path / "twice")
    # the run's own configurations count too
    with pytest.raises(ValueError, match="configuration 0 is in both this run and"):
        evaluate.run(evaluation_config(f"include=[{root / 'c0'}]"), tmp_path / "again")


def test_another_tournament_or_a_directory_without_scores_is_named(runs, tmp_path):
    root, _, _ = runs
    other = tmp_path / "other"
    other.mkdir()
    for name in ("scores.csv", "failures.json"):
        (other / name).write_text((root / "c0" / name).read_text())
    saved = OmegaConf.load(root / "c0" / "config.yaml")
    saved.balanced.stock_accounting = "consumed"
    OmegaConf.save(saved, other / "config.yaml")
    with pytest.raises(ValueError, match="another tournament: stock_accounting is 'consumed'"):
        evaluate.run(
            evaluation_config("balanced.n_configs=0", f"include=[{other}]"), tmp_path / "a"
        )
    with pytest.raises(ValueError, match="has no scores.csv"):
        evaluate.run(
            evaluation_config("balanced.n_configs=0", f"include=[{tmp_path}]"), tmp_path / "b"
        )
    with pytest.raises(ValueError, match="nothing to evaluate"):
        evaluate.run(evaluation_config("balanced.n_configs=0"), tmp_path / "c")
