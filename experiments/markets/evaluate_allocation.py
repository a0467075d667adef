"""Walk-forward evaluation of the two-stage allocation policy against the baselines.

    python -m experiments.markets.evaluate_allocation                      # synthetic regime series
    python -m experiments.markets.evaluate_allocation market.kind=csv market.path=prices.csv
    python -m experiments.markets.evaluate_allocation splits.method=purged_kfold splits.k=5 splits.embargo=20
    python -m experiments.markets.evaluate_allocation 'seeds=[0,1,2,3,4]'   # learned rows over 5 seeds
    python -m experiments.markets.evaluate_allocation scenario=planted_skill  # known answer: advisor 0 skilled
    python -m experiments.markets.evaluate_allocation track_window=250  # + each advisor's track record

For every walk-forward split: train stage 1 (advisor weights) with SB3 PPO on the training
window, then stage 2 (buy / sell / hold on the fused vote under the trained weighting); run both
on the test window after the purge gap, next to equal weights, majority vote, the best single
advisor (chosen on the training window) and buy-and-hold. Writes results.csv, results.md (mean
over splits of return after costs, Sharpe, max drawdown, turnover) and equity.png (test windows
chained), plus TensorBoard logs of the PPO runs, to the run directory.
"""

from __future__ import annotations

from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf
from stable_baselines3 import PPO

from baselines.allocation_baselines import (
    best_single_advisor,
    buy_and_hold,
    equal_weights,
    majority_vote,
    single_advisor,
)
from envs.allocation import AdvisorWeightsEnv, FusedDecisionEnv
from envs.allocation.envs import DECISIONS, LOGIT_SCALE, REWARDS
from envs.allocation.fusion import softmax
from envs.allocation.scenarios import planted_skill_series
from envs.allocation.series import AllocationSeries, build_series, market_bars
from envs.market.splits import make_splits
from experiments.common.curves import sb3_logger
from experiments.common.run_context import prepare_run, print_tensorboard_hint, write_atomic
from experiments.common.seeding import split_seed
from experiments.markets.walk_forward_report import WalkForwardReport, group_table
from experiments.schemas import register_schemas


def train(
    envs: list,
    timesteps: int,
    gamma: float,
    seed: int,
    log_dir: str,
    name: str,
    n_steps: int = 512,
) -> PPO:
    """PPO (discount ``gamma``, ``n_steps`` per update) over one env per training range (a purged
    split has up to two), each for a share of ``timesteps`` proportional to its bars, so no
    episode crosses a purged gap."""
    sizes = np.array([len(env.series) for env in envs], dtype=float)
    model = PPO(
        "MlpPolicy",
        envs[0],
        n_steps=n_steps,
        batch_size=64,
        n_epochs=5,
        gamma=gamma,
        seed=seed,
        device="cpu",
        verbose=0,
    )
    model.set_logger(sb3_logger(Path(log_dir) / name))
    for offset, (env, share) in enumerate(zip(envs, sizes / sizes.sum(), strict=True)):
        model.set_env(env)
        # set_env wraps the env in a fresh VecEnv whose first reset would be unseeded (episode
        # starts drawn from OS entropy): the same seed must train the same policy.
        model.get_env().seed(seed + offset)
        model.learn(total_timesteps=max(1, round(timesteps * share)), reset_num_timesteps=False)
    return model


def learned_weighting(stage1: PPO, env1: AdvisorWeightsEnv):
    """Stage 1's weights at bar t of ``env1``'s range, from the observation it was trained on."""

    def weighting(t: int) -> np.ndarray:
        action, _ = stage1.predict(env1.observation_at(t), deterministic=True)
        return softmax(LOGIT_SCALE * np.clip(action, -1.0, 1.0))

    return weighting


def allocation_series(cfg: DictConfig) -> AllocationSeries:
    """The votes and returns to evaluate on: a planted-skill scenario (``scenario.kind``) or the
    configured advisors on the configured market."""
    scenario = OmegaConf.to_container(cfg.scenario) if cfg.get("scenario") else None
    if scenario is None:
        return build_series(market_bars(**OmegaConf.to_container(cfg.market)), list(cfg.advisors))
    kind = scenario.pop("kind", None)
    if kind != "planted_skill":
        raise ValueError(f"scenario.kind must be planted_skill (or scenario=null), got {kind!r}")
    scenario["skills"] = tuple(scenario.get("skills", (0.55, 0.5, 0.5, 0.5)))
    return planted_skill_series(**scenario)


def run(cfg: DictConfig) -> pd.DataFrame:
    for key in ("stage1_reward", "stage2_reward"):
        if cfg[key] not in REWARDS:
            raise ValueError(f"{key} must be one of {REWARDS}, got {cfg[key]!r}")
    if cfg.stage2_decision not in DECISIONS:
        raise ValueError(f"stage2_decision must be one of {DECISIONS}, got {cfg.stage2_decision!r}")
    if cfg.ppo_n_steps < 64:
        raise ValueError(f"ppo_n_steps must be at least the minibatch of 64, got {cfg.ppo_n_steps}")
    if not 0.0 <= cfg.ppo_gamma <= 1.0:
        raise ValueError(f"ppo_gamma must be in [0, 1], got {cfg.ppo_gamma}")
    out = prepare_run(cfg)
    series = allocation_series(cfg)
    splits = make_splits(len(series), **OmegaConf.to_container(cfg.splits))
    common = {
        "series": series,
        "include_market": cfg.include_market,
        "cost": cfg.cost,
        "track_window": cfg.track_window,
    }
    report = WalkForwardReport(cfg.cost, cfg.bars_per_year)
    seeds = [int(seed) for seed in cfg.seeds]
    weights: list[dict] = []
    for seed in seeds:
        for index, split in enumerate(splits):
            ranges = [r for r in split.train_ranges if r[1] - r[0] > cfg.episode_length]
            if not ranges:
                raise ValueError(f"split {index} has no training range longer than an episode")
            test_range = split.test
            test = series.slice(*test_range)
            stage1_envs = [
                AdvisorWeightsEnv(
                    start=a,
                    stop=b,
                    episode_length=cfg.episode_length,
                    reward=cfg.stage1_reward,
                    **common,
                )
                for a, b in ranges
            ]
            stage1 = train(
                stage1_envs,
                cfg.ppo_timesteps,
                cfg.ppo_gamma,
                split_seed(seed, index),
                str(out / "tensorboard"),
                f"stage1_seed{seed}_split{index}",
                cfg.ppo_n_steps,
            )
            stage2 = train(
                [
                    FusedDecisionEnv(
                        start=a,
                        stop=b,
                        episode_length=cfg.episode_length,
                        weighting=learned_weighting(stage1, env1),
                        reward=cfg.stage2_reward,
                        decision=cfg.stage2_decision,
                        **common,
                    )
                    for (a, b), env1 in zip(ranges, stage1_envs, strict=True)
                ],
                cfg.ppo_timesteps,
                cfg.ppo_gamma,
                split_seed(seed, index),
                str(out / "tensorboard"),
                f"stage2_seed{seed}_split{index}",
                cfg.ppo_n_steps,
            )
            env1 = AdvisorWeightsEnv(
                start=test_range[0], stop=test_range[1], episode_length=1, **common
            )
            env2 = FusedDecisionEnv(
                start=test_range[0],
                stop=test_range[1],
                episode_length=1,
                weighting=learned_weighting(stage1, env1),
                decision=cfg.stage2_decision,
                **common,
            )
            stage1_actions = [
                stage1.predict(env1.observation_at(t), deterministic=True)[0]
                for t in range(len(test))
            ]
            stage1_positions = np.array(
                [env1.position_for(t, a) for t, a in enumerate(stage1_actions)]
            )
            mean_weights = np.mean(
                [softmax(LOGIT_SCALE * np.clip(a, -1.0, 1.0)) for a in stage1_actions], axis=0
            )
            weights += [
                {"split": index, "seed": seed, "advisor": name, "weight": float(w)}
                for name, w in zip(series.advisor_names, mean_weights, strict=True)
            ]
            stage2_positions = np.array(
                [
                    env2.position_for(
                        t, stage2.predict(env2.observation_at(t), deterministic=True)[0]
                    )
                    for t in range(len(test))
                ]
            )
            best = best_single_advisor(series.take(split.train_ranges), cfg.cost)
            methods = {
                "stage1 (learned weights)": stage1_positions,
                "stage1+2 (learned decision)": stage2_positions,
                "equal weights": equal_weights(test),
                "majority vote": majority_vote(test),
                f"best single ({series.advisor_names[best]})": single_advisor(test, best),
                "buy and hold": buy_and_hold(test),
            }
            for method, positions in methods.items():
                learned = method.startswith("stage")
                if learned or seed == seeds[0]:  # baselines do not depend on the seed
                    name = "best single" if method.startswith("best single") else method
                    report.add(index, name, positions, test.next_return, seed)
    method = cfg.splits.method.replace("_", " ")
    weights = pd.DataFrame(weights)
    write_atomic(out / "weights.csv", weights.to_csv(index=False))
    report.write(
        out,
        f"{method.capitalize()} evaluation",
        group_table(weights, "advisor", "weight", "Stage 1 weights (mean over each test window)"),
        paired_against="best single",
    )
    print_tensorboard_hint(out)
    return pd.DataFrame(report.rows)


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="evaluate_allocation")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
