"""Settings of the Stable-Baselines3 PPO entry point (conf/algo/*.yaml; schema of the group)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PPOSettings:
    name: str = "ppo"
    total_timesteps: int = 20_000
    n_steps: int = 512
    batch_size: int = 64
    n_epochs: int = 5
    learning_rate: float = 3e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    ent_coef: float = 0.0
    checkpoint_every: int = 10_000  # environment steps between checkpoints
    eval_episodes: int = 5
