"""Walk-forward evaluation of the hierarchical calibration policies (RLlib multi-agent PPO).

    python -m experiments.markets.evaluate_calibration                    # synthetic regime series
    python -m experiments.markets.evaluate_calibration market.kind=goog   # shipped GOOG daily bars
    python -m experiments.markets.evaluate_calibration scenario=planted_factor 'seeds=[0,1,2,3,4]'

For every walk-forward split: train one PPO module per role on the training window, then walk
the whole test window (after the purge gap) greedily, next to static calibration (initial betas,
half the capital in each engine, leverage 1) and buy-and-hold, once per training seed. Writes
results.csv, results.md (with each factor's mean learned beta on the test windows: the known
answer of ``scenario=planted_factor`` is a raised beta on the planted factor), betas.csv,
equity.png, per-split TensorBoard logs and RLlib checkpoints in the run directory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from envs.allocation.calibration import CalibrationParallelEnv
from envs.allocation.calibration_series import CalibrationSeries, build_calibration_series
from envs.allocation.scenarios import planted_factor_series
from envs.allocation.series import market_bars
from envs.market.splits import make_splits
from experiments.common import rllib_ppo
from experiments.common.curves import CurveLogger
from experiments.common.ppo_settings import RLlibPPOSettings
from experiments.common.ray_runtime import start_ray
from experiments.common.run_context import prepare_run, print_tensorboard_hint, write_atomic
from experiments.common.seeding import split_seed
from experiments.markets.walk_forward_report import WalkForwardReport, group_table
from experiments.schemas import register_schemas
from policies.hierarchical import RLlibTeam, StaticCalibration


def walk(
    env: CalibrationParallelEnv, start: int, length: int, policy: Callable
) -> tuple[np.ndarray, np.ndarray]:
    """Positions taken by ``policy`` on bars [start, start + length), and the factors' betas
    after each bar (length, K)."""
    obs, _ = env.reset(options={"start_bar": start, "length": length})
    positions, betas = [], []
    while env.agents:
        obs, _, _, _, infos = env.step(policy(obs))
        info = next(iter(infos.values()))
        positions.append(info["position"])
        betas.append(info["beta"])
    return np.array(positions), np.array(betas)


def calibration_series(cfg: DictConfig) -> CalibrationSeries:
    """A planted-factor scenario (``scenario.kind``) or the configured market's bars."""
    scenario = OmegaConf.to_container(cfg.scenario) if cfg.get("scenario") else None
    if scenario is None:
        return build_calibration_series(market_bars(**OmegaConf.to_container(cfg.market)))
    kind = scenario.pop("kind", None)
    if kind != "planted_factor":
        raise ValueError(f"scenario.kind must be planted_factor (or scenario=null), got {kind!r}")
    return planted_factor_series(**scenario)


def run(cfg: DictConfig) -> str:
    out = prepare_run(cfg)
    series = calibration_series(cfg)
    env_kwargs = OmegaConf.to_container(cfg.env, resolve=True)
    ppo = RLlibPPOSettings(**OmegaConf.to_container(cfg.ppo, resolve=True))
    splits = make_splits(len(series), **OmegaConf.to_container(cfg.splits))
    start_ray(out, cfg.ray.num_cpus, cfg.ray.address)
    report = WalkForwardReport(cfg.env.cost, cfg.bars_per_year)
    seeds = [int(seed) for seed in cfg.seeds]
    betas = []
    for seed, (index, split) in itertools.product(seeds, enumerate(splits)):

        def make_train_env(split=split):
            return CalibrationParallelEnv(
                series=series, start=split.train[0], stop=split.train[1], **env_kwargs
            )

        algo, modules = rllib_ppo.build_ppo(
            make_train_env,
            f"hrlxf-calibration-seed{seed}-split{index}",
            cfg.sharing,
            ppo,
            split_seed(seed, index),
        )
        run_name = f"seed{seed}_split{index}"
        try:
            with CurveLogger(str(out / "tensorboard" / run_name)) as writer:
                rllib_ppo.train(algo, cfg.iterations, writer)
            rllib_ppo.save(algo, out / "checkpoints" / run_name)
            test_env = CalibrationParallelEnv(
                series=series,
                start=split.test[0],
                stop=split.test[1],
                **{**env_kwargs, "episode_length": 1},
            )
            spaces = {a: test_env.action_space(a) for a in test_env.possible_agents}
            team = RLlibTeam({m: algo.get_module(m) for m in modules}, cfg.sharing, spaces)
        finally:
            algo.stop()
        start = test_env.first_bar
        length = test_env.stop_bar - start
        next_returns = series.next_return[start : start + length]
        positions, learned_betas = walk(test_env, start, length, team)
        report.add(index, "learned (RLlib MA-PPO)", positions, next_returns, seed)
        betas += [
            {"split": index, "seed": seed, "factor": name, "beta": float(mean)}
            for name, mean in zip(series.factor_names, learned_betas.mean(axis=0), strict=True)
        ]
        if seed == seeds[0]:  # the references do not depend on the training seed
            static = walk(test_env, start, length, StaticCalibration())[0]
            report.add(index, "static calibration", static, next_returns, seed)
            report.add(index, "buy and hold", np.ones(length), next_returns, seed)
    print_tensorboard_hint(out)
    betas = pd.DataFrame(betas)
    write_atomic(out / "betas.csv", betas.to_csv(index=False))
    source = cfg.scenario.kind if cfg.get("scenario") else cfg.market.kind
    return report.write(
        out,
        f"Calibration walk-forward on {source}",
        group_table(betas, "factor", "beta", "Learned betas (mean over each test window)"),
    )


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="evaluate_calibration")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
