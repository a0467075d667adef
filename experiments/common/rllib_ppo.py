"""PPO on RLlib's new API stack: the one place RLlib's ``PPOConfig`` is made from the project's
PPO settings (:func:`ppo_config`, used by the SCML online stages too), and multi-agent PPO for
any PettingZoo parallel env of the project (:func:`build_ppo`).

Policy sharing: ``shared`` (one module for every agent), ``per_type`` (agents ``<type>_<k>``
share the module ``<type>``; an agent without a numeric suffix gets its own), ``per_agent``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pettingzoo import ParallelEnv
from tqdm import tqdm

from experiments.common.curves import CurveLogger, rllib_scalars
from experiments.common.ppo_settings import PPOHyperParams, RLlibPPOSettings
from policies.sharing import SHARING, module_of

__all__ = ["SHARING", "build_ppo", "module_of", "ppo_config", "rllib_scalars"]


def ppo_config(hyper: PPOHyperParams, seed: int, **training: Any):
    """RLlib's ``PPOConfig`` with the hyper-parameters and the seed (``training``: further
    arguments of ``PPOConfig.training``); environment, runners and modules left to the caller."""
    from ray.rllib.algorithms.ppo import PPOConfig

    return (
        PPOConfig()
        .training(**PPOHyperParams.pick(hyper).rllib_training(), **training)
        .debugging(seed=seed)
    )


def build_ppo(
    make_env: Callable[[], ParallelEnv],
    env_name: str,
    sharing: str,
    ppo: RLlibPPOSettings,
    seed: int,
):
    """A built RLlib PPO Algorithm (local env runner, one learner on the driver)."""
    from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv
    from ray.tune.registry import register_env

    env = make_env()
    agents = list(env.possible_agents)
    modules = sorted({module_of(a, sharing) for a in agents})
    for module in modules:  # a module shared by agents needs them to share their spaces
        users = [a for a in agents if module_of(a, sharing) == module]
        spaces = {(str(env.observation_space(a)), str(env.action_space(a))) for a in users}
        if len(spaces) > 1:
            raise ValueError(
                f"sharing={sharing!r} maps agents {users} with different spaces to module {module!r}; use per_type or per_agent"
            )
    register_env(env_name, lambda _: ParallelPettingZooEnv(make_env()))
    config = (
        ppo_config(ppo, seed)
        .environment(env_name)
        .env_runners(num_env_runners=ppo.num_env_runners, rollout_fragment_length=ppo.fragment)
        .multi_agent(
            policies=set(modules),
            policy_mapping_fn=lambda agent_id, episode, **kw: module_of(agent_id, sharing),
        )
        .rl_module(model_config={"fcnet_hiddens": list(ppo.hidden_sizes)})
    )
    return config.build_algo(), modules


def train(algo, iterations: int, log: CurveLogger) -> list[dict[str, Any]]:
    """Run ``iterations`` training iterations, logging the contract's curves against sampled
    env steps (with progress)."""
    history = []
    log.steps(0)
    for _ in tqdm(range(iterations), desc="PPO iterations", unit="it"):
        result = algo.train()
        steps = int(result.get("num_env_steps_sampled_lifetime", 0))
        values = rllib_scalars(result)
        for tag, value in values.items():
            log(tag, value, steps)
        log.steps(steps)
        history.append({"env_steps": steps, **values})
    return history


def save(algo, path: Path) -> Path:
    path = Path(path)
    algo.save_to_path(str(path.resolve()))
    return path
