"""Settings of the Stable-Baselines3 PPO entry point (conf/algo/*.yaml; schema of the group)."""

from __future__ import annotations

from dataclasses import dataclass

from experiments.common.ppo_settings import PPOHyperParams


@dataclass(frozen=True)
class PPOSettings(PPOHyperParams):
    """The algorithm (ppo or maskable_ppo), its budget and checkpoints, and PPO's
    hyper-parameters in the project's one spelling (:class:`PPOHyperParams`)."""

    name: str = "ppo"
    total_timesteps: int = 20_000
    checkpoint_every: int = 10_000  # environment steps between checkpoints
    eval_episodes: int = 5
