"""Training throughput of the PPO stage on SCML: RLlib PPO with 1 and 2 env runners next to
stepping the same env with the same policy, same run, per level.

    python -m experiments.benchmarks.scml_training [levels=[l2,l3]] [steps=400] [iterations=2]

The env is the PPO stage's own (``experiments.online.ppo.env_kwargs``): the daily env for L2,
the round env in the L3 form for L3, carried out by a bundle (``bundle=<dir>``; default fresh
networks of the default size). Env steps/s of PPO count sampled steps over the wall time of
``algo.train()`` (sampling and learning; building the algorithm excluded).

The reference (``env_only_steps_per_s``) steps the env with actions sampled from the same
module PPO starts from, timing ``env.step`` alone: what a step costs depends on the policy (a
policy that ends threads early sees more world rounds per step), so only the same policy's
episodes measure what training adds. ``fixed_policy_env_steps_per_s`` is the earlier reference,
a policy that costs nothing (neutral goal; counters at the baseline), for comparison.
``envs_per_runner=N`` has every PPO runner step N worlds side by side (one batched module call
for all of them); the reference stays one env. Targets: ``training_ratio`` (1 runner / env only) >= 0.7 and ``runner_scaling`` (2 runners /
1 runner) >= 1.5, reported per level and for the first level as top-level keys. Prints one
JSON line last.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from experiments.common.ray_runtime import start_ray
from experiments.online.ppo import build_algo, env_kwargs, make_env
from experiments.online.settings import PPOStageSettings
from policies.hrl.bundle import BundleConfig, HRLBundle


def fixed_action(level: str, obs: dict, space) -> object:
    """A policy that costs nothing: a neutral goal (L2); counters at the baseline (L3)."""
    if level == "l2":
        return np.zeros(space.shape, dtype=np.float32)
    return {
        "operation": np.ones(space["operation"].shape, dtype=np.int64),
        "delivery": np.argmax(obs["time_mask"], axis=1).astype(np.int64),
        "residual": np.zeros(space["residual"].shape, dtype=np.float32),
    }


def module_policy(level: str, env, bundle_dir: Path, residual_log_std: float):
    """The PPO stage's starting module as a function obs -> sampled env action (untimed)."""
    import tree
    from ray.rllib.core.columns import Columns

    from policies.hrl.rllib_modules import DailyPlannerModule, ThreadPolicyModule

    module_class = DailyPlannerModule if level == "l2" else ThreadPolicyModule
    module = module_class(
        observation_space=env.observation_space,
        action_space=env.action_space,
        model_config={"bundle_dir": str(bundle_dir), "residual_log_std": residual_log_std},
    )
    dist_class = module.get_exploration_action_dist_cls()

    @torch.no_grad()
    def act(obs):
        batch = {Columns.OBS: tree.map_structure(lambda x: torch.as_tensor(x)[None], obs)}
        inputs = module.forward_exploration(batch)[Columns.ACTION_DIST_INPUTS]
        action = tree.map_structure(lambda x: x[0].numpy(), dist_class.from_logits(inputs).sample())
        return np.clip(action, -1.0, 1.0) if level == "l2" else action

    return act


def env_only(level: str, kwargs: dict, steps: int, seed: int, policy=None) -> float:
    """Env steps/s with actions from ``policy`` (default: the fixed one), env.step timed alone."""
    env = make_env(level, kwargs)
    obs, _ = env.reset(seed=seed)
    spent, done_steps = 0.0, 0
    while done_steps < steps:
        action = fixed_action(level, obs, env.action_space) if policy is None else policy(obs)
        start = time.perf_counter()
        obs, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            obs, _ = env.reset()
        spent += time.perf_counter() - start
        done_steps += 1
    return done_steps / spent


def ppo_rate(level, bundle_dir, kwargs, settings, iterations, seed) -> float:
    algo = build_algo(level, bundle_dir, kwargs, settings, seed)
    try:
        warm_up = algo.train()  # runners start their worlds, first learner step
        before = int(warm_up["num_env_steps_sampled_lifetime"])
        start = time.perf_counter()
        for _ in range(iterations):
            result = algo.train()
        elapsed = time.perf_counter() - start
        steps = int(result["num_env_steps_sampled_lifetime"]) - before
    finally:
        algo.stop()
    return steps / elapsed


@hydra.main(version_base="1.3", config_path="../../conf", config_name="benchmarks/scml_training")
def main(args: DictConfig) -> None:
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="hrlxf-bench-") as tmp:
        root = Path(tmp)
        bundle_dir = Path(args.bundle) if args.bundle else root / "bundle"
        if not args.bundle:
            HRLBundle(BundleConfig(horizon=int(args.horizon))).save(bundle_dir)
        horizon = HRLBundle.load(bundle_dir).config.horizon
        world = {
            **OmegaConf.to_container(args.world, resolve=True),
            "log_dir": str(root / "worlds"),
        }
        start_ray(root, num_cpus=int(args.num_cpus))
        result: dict = {
            "benchmark": "scml_training",
            "steps": int(args.steps),
            "envs_per_runner": int(args.envs_per_runner),
        }
        for level in args.levels:
            runs = {}
            for runners in (1, 2):
                settings = PPOStageSettings(
                    level=level,
                    train_batch_size=int(args.steps),
                    minibatch_size=min(64, int(args.steps)),
                    num_epochs=2,
                    num_env_runners=runners,
                    envs_per_runner=int(args.envs_per_runner),
                )
                kwargs = env_kwargs(level, bundle_dir, world, horizon, settings)
                runs[runners] = ppo_rate(
                    level, bundle_dir, kwargs, settings, int(args.iterations), 0
                )
            policy = module_policy(
                level, make_env(level, kwargs), bundle_dir, settings.residual_log_std
            )
            rate = env_only(level, kwargs, int(args.steps), seed=0, policy=policy)
            result[level] = {
                "env_only_steps_per_s": rate,
                "fixed_policy_env_steps_per_s": env_only(level, kwargs, int(args.steps), seed=0),
                "ppo_1_runner_steps_per_s": runs[1],
                "ppo_2_runners_steps_per_s": runs[2],
                "training_ratio": runs[1] / rate,
                "runner_scaling": runs[2] / runs[1],
            }
        first = result[args.levels[0]]
        result["training_ratio"] = first["training_ratio"]
        result["runner_scaling"] = first["runner_scaling"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
