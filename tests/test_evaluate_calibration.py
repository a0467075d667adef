"""Hierarchical calibration: static reference, RLlib team serving, walk-forward evaluation."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from envs.allocation import calibration_parallel_env
from envs.allocation.calibration import SUPERVISOR
from experiments.common.rllib_ppo import build_ppo
from experiments.markets.marl_tasks import env_factory
from policies.hierarchical import StaticCalibration


def test_static_calibration_holds_its_split_and_leverage():
    env = calibration_parallel_env(episode_length=20)
    obs, _ = env.reset(seed=0)
    policy = StaticCalibration(slow_share=0.25, leverage=1.5)
    while env.agents:
        obs, _, _, _, infos = env.step(policy(obs))
    assert infos[SUPERVISOR]["slow_share"] == pytest.approx(0.25)
    assert infos[SUPERVISOR]["leverage"] == pytest.approx(1.5)
    np.testing.assert_allclose(infos[SUPERVISOR]["beta"], 0.5)  # factor agents never adjust
    with pytest.raises(ValueError, match="leverage"):
        StaticCalibration(leverage=3.0)


def test_one_shared_module_for_agents_with_different_spaces_is_an_error():
    from omegaconf import OmegaConf

    make_env = env_factory(
        OmegaConf.create({"name": "calibration", "kwargs": {"episode_length": 50}})
    )
    with pytest.raises(ValueError, match="different spaces"):
        build_ppo(make_env, "hrlxf-test-shared", "shared", {}, 0)


@pytest.mark.slow
@pytest.mark.parametrize("market", ["regime", "goog"])
def test_walk_forward_trains_per_role_modules_and_writes_the_table(tmp_path, market):
    run_dir = tmp_path / "run"
    overrides = [
        "iterations=1",
        "ppo.train_batch_size=200",
        "ppo.minibatch_size=100",
        "ppo.num_epochs=1",
        "env.episode_length=100",
        f"market.kind={market}",
        "market.n_bars=1000",
        "splits.train_size=500",
        "splits.test_size=200",
        "splits.gap=10",
        f"hydra.run.dir={run_dir}",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "experiments.markets.evaluate_calibration", *overrides],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = pd.read_csv(run_dir / "results.csv")
    assert results["split"].nunique() == 2  # (500 + 10 + 200) fits twice in 1000 (GOOG: 1047) bars
    assert set(results["method"]) == {
        "learned (RLlib MA-PPO)",
        "static calibration",
        "buy and hold",
    }
    assert results[["return_after_costs", "sharpe", "max_drawdown", "turnover"]].notna().all().all()
    modules = run_dir / "checkpoints" / "seed0_split0" / "learner_group" / "learner" / "rl_module"
    assert sorted(p.name for p in modules.iterdir() if p.is_dir()) == [
        "factor_chip",
        "factor_sentiment",
        "factor_value",
        "supervisor",
    ]
    assert (run_dir / "equity.png").stat().st_size > 0
    betas = pd.read_csv(run_dir / "betas.csv")
    assert len(betas) == 2 * 3 and betas["beta"].between(0.0, 1.0).all()  # splits x factors
    assert "## Learned betas" in (run_dir / "results.md").read_text()
