"""Walk-forward evaluation of the allocation MDP: a real (tiny) run."""

import subprocess
import sys

import pandas as pd
import pytest
import torch


@pytest.mark.slow
def test_walk_forward_evaluation_writes_table_and_equity_curve(tmp_path):
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.markets.evaluate_allocation",
            "ppo_timesteps=512",
            "market.n_bars=1700",
            "splits.train_size=600",
            "splits.test_size=300",
            "splits.gap=10",
            "episode_length=100",
            "seeds=[0,1]",
            f"hydra.run.dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    results = pd.read_csv(run_dir / "results.csv")
    assert results["split"].nunique() == 3
    seeds = results.groupby("method")["seed"].nunique()
    assert seeds["stage1 (learned weights)"] == 2 and seeds["buy and hold"] == 1
    hold = results[results["method"] == "buy and hold"]
    assert (hold["time_in_market"] == 1.0).all() and (hold["position_entropy"] == 0.0).all()
    methods = set(results["method"])
    assert {
        "stage1 (learned weights)",
        "stage1+2 (learned decision)",
        "equal weights",
        "majority vote",
        "best single",
        "buy and hold",
    } == methods
    metrics = ["return_after_costs", "sharpe", "max_drawdown", "turnover", "position_entropy"]
    assert results[metrics].notna().all().all()
    assert "| time in market | position entropy |" in (run_dir / "results.md").read_text()
    assert (run_dir / "equity.png").stat().st_size > 0
    assert "| buy and hold |" in (run_dir / "results.md").read_text()
    weights = pd.read_csv(run_dir / "weights.csv")
    assert len(weights) == 3 * 2 * 5  # splits x seeds x advisors
    sums = weights.groupby(["split", "seed"])["weight"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)  # a mean of softmax weights
    assert "## Stage 1 weights" in (run_dir / "results.md").read_text()
    # Learned rows minus the best single advisor, paired by test window: 3 splits x 2 seeds.
    paired = (run_dir / "results.md").read_text().split("## Paired by test window")[1]
    learned = next(line for line in paired.splitlines() if "stage1+2" in line)
    assert learned.endswith("| 6 |"), learned
    best = results[results["method"] == "best single"].set_index("split")["return_after_costs"]
    stage12 = results[results["method"] == "stage1+2 (learned decision)"]
    mean_difference = (stage12["return_after_costs"] - best.loc[stage12["split"]].to_numpy()).mean()
    assert f"{mean_difference:.4f} [" in learned


@pytest.mark.slow
def test_purged_kfold_evaluation_trains_around_each_test_fold(tmp_path):
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.markets.evaluate_allocation",
            "ppo_timesteps=256",
            "market.n_bars=900",
            "splits.method=purged_kfold",
            "splits.k=3",
            "splits.gap=10",
            "splits.embargo=10",
            "track_window=50",
            "episode_length=100",
            f"hydra.run.dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    results = pd.read_csv(run_dir / "results.csv")
    assert results["split"].nunique() == 3  # every fold is a test window once
    assert (run_dir / "results.md").read_text().startswith("# Purged kfold evaluation")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "stage2_reward=sharpe",
            "stage2_reward must be one of ('return', 'accuracy'), got 'sharpe'",
        ),
        ("ppo_n_steps=32", "ppo_n_steps must be at least the minibatch of 64, got 32"),
        ("stage2_decision=inverse", "stage2_decision must be one of"),
    ],
)
def test_bad_settings_are_refused_by_name(tmp_path, override, message):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.markets.evaluate_allocation",
            override,
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "run" / "results.csv").exists()


def test_the_same_seed_trains_the_same_policy(tmp_path):
    from envs.allocation.envs import AdvisorWeightsEnv
    from envs.allocation.scenarios import planted_skill_series
    from experiments.markets.evaluate_allocation import train

    series = planted_skill_series((0.55, 0.5), n_bars=600, seed=0)
    parameters = []
    for run in range(2):
        envs = [
            AdvisorWeightsEnv(series=series, start=a, stop=b, episode_length=50)
            for a, b in ((0, 200), (300, 600))
        ]
        model = train(envs, 1100, 0.0, 7, str(tmp_path), f"run{run}")
        parameters.append(torch.cat([p.detach().flatten() for p in model.policy.parameters()]))
    assert torch.equal(parameters[0], parameters[1])
