"""The PPO stage's Stable-Baselines3 back end: L2 on the daily env, started from the bundle.

SB3's actor-critic is given the bundle's HorizonManager piece by piece: its feature extractor is
the manager's encoder (``DailyPlannerExtractor``), the action net its goal head, the value net
its value head, ``log_std`` its log std; the policy's mean is squashed with tanh as the
manager's is. After training the pieces go back into the bundle. SB3 has no learner hook for a
KL anchor, so this back end runs plain PPO (the settings refuse an anchor).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import CheckpointCallback
from stable_baselines3.common.policies import MultiInputActorCriticPolicy

from experiments.common.curves import CurveLogger, sb3_logger
from experiments.common.ppo_settings import PPOHyperParams
from experiments.online.settings import PPOStageSettings
from policies.hrl.bundle import HRLBundle
from policies.hrl.sb3_extractors import DailyPlannerExtractor


class BundlePlannerPolicy(MultiInputActorCriticPolicy):
    """Actor-critic whose mean goal is tanh(goal head), as the HorizonManager's."""

    def _get_action_dist_from_latent(self, latent_pi: torch.Tensor):
        mean = torch.tanh(self.action_net(latent_pi))
        return self.action_dist.proba_distribution(mean, self.log_std)


def load_bundle_into(model: PPO, bundle: HRLBundle) -> None:
    if bundle.manager.goal_offset.abs().sum() > 0:
        raise ValueError(
            "the bundle has trained goal offsets (stage.trainable=goal_offsets), which the SB3 "
            "policy does not apply: continue it with stage.backend=rllib"
        )
    policy = model.policy
    policy.features_extractor.manager.load_state_dict(bundle.manager.state_dict())
    policy.action_net.load_state_dict(bundle.manager.goal_mean.state_dict())
    policy.value_net.load_state_dict(bundle.manager.value.state_dict())
    with torch.no_grad():
        policy.log_std.copy_(bundle.manager.goal_log_std)


def write_bundle_from(model: PPO, bundle: HRLBundle) -> None:
    policy = model.policy
    state = policy.features_extractor.manager.state_dict()
    state |= {f"goal_mean.{k}": v for k, v in policy.action_net.state_dict().items()}
    state |= {f"value.{k}": v for k, v in policy.value_net.state_dict().items()}
    state["goal_log_std"] = policy.log_std.detach().clone()
    bundle.manager.load_state_dict(state)


def train_sb3(
    settings: PPOStageSettings, env: Any, start_bundle: Path, out: Path, seed: int, log: CurveLogger
) -> dict[str, Any]:
    """Train L2 for ``env_steps`` steps; writes ``out/checkpoint`` (the bundle)."""
    bundle = HRLBundle.load(start_bundle)
    model = PPO(
        BundlePlannerPolicy,
        env,
        **PPOHyperParams.pick(settings).sb3_kwargs(),
        policy_kwargs={
            "features_extractor_class": DailyPlannerExtractor,
            "features_extractor_kwargs": {"hidden": bundle.config.hidden},
            "share_features_extractor": True,  # one encoder, as in the HorizonManager
            "net_arch": {"pi": [], "vf": []},
            "log_std_init": 0.0,
        },
        seed=seed,
        device="cpu",
        verbose=0,
    )
    load_bundle_into(model, bundle)
    logger = sb3_logger(out / "tensorboard" / "sb3")
    model.set_logger(logger)
    model.learn(
        total_timesteps=settings.env_steps,
        callback=CheckpointCallback(
            save_freq=settings.checkpoint_every * settings.train_batch_size,
            save_path=str(out / "checkpoints"),
            name_prefix="sb3_ppo",
        ),
        progress_bar=False,
    )
    logger.close()
    write_bundle_from(model, bundle)
    bundle.save(out / "checkpoint", extra={"stage": "ppo", "level": "l2", "backend": "sb3"})
    log.steps(model.num_timesteps)
    return {"env_steps": int(model.num_timesteps), "iterations": int(model._n_updates)}
