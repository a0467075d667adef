"""Walk-forward evaluation of the hierarchical calibration policies (RLlib multi-agent PPO).

    python -m experiments.evaluate_calibration                    # synthetic regime series
    python -m experiments.evaluate_calibration market.kind=goog   # shipped GOOG daily bars

For every walk-forward split: train one PPO module per role on the training window, then walk
the whole test window (after the purge gap) greedily, next to static calibration (initial betas,
half the capital in each engine, leverage 1) and buy-and-hold. Writes results.csv, results.md,
equity.png, per-split TensorBoard logs and RLlib checkpoints in the run directory.
"""

from __future__ import annotations

from collections.abc import Callable

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from envs.allocation.calibration import CalibrationParallelEnv
from envs.allocation.calibration_series import build_calibration_series
from envs.allocation.series import market_bars
from envs.market.splits import make_splits
from experiments.common import rllib_ppo
from experiments.common.curves import CurveLogger
from experiments.common.ray_runtime import start_ray
from experiments.common.run_context import prepare_run, print_tensorboard_hint
from experiments.common.schemas import register_schemas
from experiments.common.walk_forward_report import WalkForwardReport
from policies.hierarchical import RLlibTeam, StaticCalibration


def walk(env: CalibrationParallelEnv, start: int, length: int, policy: Callable) -> np.ndarray:
    """Positions taken by ``policy`` on bars [start, start + length)."""
    obs, _ = env.reset(options={"start_bar": start, "length": length})
    positions = []
    while env.agents:
        obs, _, _, _, infos = env.step(policy(obs))
        positions.append(next(iter(infos.values()))["position"])
    return np.array(positions)


def run(cfg: DictConfig) -> str:
    out = prepare_run(cfg)
    series = build_calibration_series(market_bars(**OmegaConf.to_container(cfg.market)))
    env_kwargs = OmegaConf.to_container(cfg.env, resolve=True)
    ppo = OmegaConf.to_container(cfg.ppo, resolve=True)
    splits = make_splits(len(series), **OmegaConf.to_container(cfg.splits))
    start_ray(out, int(cfg.ray.num_cpus), cfg.ray.address)
    report = WalkForwardReport(float(cfg.env.cost), float(cfg.bars_per_year))
    for index, split in enumerate(splits):

        def make_train_env(split=split):
            return CalibrationParallelEnv(
                series=series, start=split.train[0], stop=split.train[1], **env_kwargs
            )

        algo, modules = rllib_ppo.build_ppo(
            make_train_env,
            f"hrlxf-calibration-split{index}",
            str(cfg.sharing),
            ppo,
            int(cfg.seed) + index,
        )
        try:
            with CurveLogger(str(out / "tensorboard" / f"split{index}")) as writer:
                rllib_ppo.train(algo, int(cfg.iterations), writer)
            rllib_ppo.save(algo, out / "checkpoints" / f"split{index}")
            test_env = CalibrationParallelEnv(
                series=series,
                start=split.test[0],
                stop=split.test[1],
                **{**env_kwargs, "episode_length": 1},
            )
            spaces = {a: test_env.action_space(a) for a in test_env.possible_agents}
            team = RLlibTeam({m: algo.get_module(m) for m in modules}, str(cfg.sharing), spaces)
        finally:
            algo.stop()
        start = test_env.first_bar
        length = test_env.stop_bar - start
        next_returns = series.next_return[start : start + length]
        report.add(
            index, "learned (RLlib MA-PPO)", walk(test_env, start, length, team), next_returns
        )
        report.add(
            index,
            "static calibration",
            walk(test_env, start, length, StaticCalibration()),
            next_returns,
        )
        report.add(index, "buy and hold", np.ones(length), next_returns)
    print_tensorboard_hint(out)
    return report.write(out, f"Calibration walk-forward on {cfg.market.kind}")


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../conf", config_name="evaluate_calibration")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
