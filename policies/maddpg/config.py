"""Hyper-parameters of MADDPG and independent DDPG (one dataclass, validated)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MADDPGConfig:
    """Settings of the trainer; defaults follow Lowe et al. (2017) for the MPE tasks.

    centralized: critics see every agent's observation and action (MADDPG); False gives each
        agent a critic over its own observation and action only (independent DDPG).
    policy_delay: critic updates per actor (and target) update, as in TD3.
    gumbel_temperature: temperature of the Gumbel-softmax relaxation for discrete actions.
    exploration_noise: std of the Gaussian noise added to continuous actions while collecting.
    target_noise / target_noise_clip: smoothing noise on continuous target actions.
    actor_regularization: weight of the squared pre-activation penalty on the actor output.
    """

    centralized: bool = True
    hidden_sizes: tuple[int, ...] = field(default=(64, 64))
    actor_lr: float = 1e-3
    critic_lr: float = 1e-3
    gamma: float = 0.95
    tau: float = 0.01
    batch_size: int = 1024
    buffer_size: int = 1_000_000
    learning_starts: int = 2_500
    train_every: int = 50
    updates_per_train: int = 1
    policy_delay: int = 2
    gumbel_temperature: float = 1.0
    exploration_noise: float = 0.1
    target_noise: float = 0.2
    target_noise_clip: float = 0.5
    actor_regularization: float = 1e-3
    grad_clip: float = 0.5
    reward_scale: float = 1.0

    def __post_init__(self) -> None:
        positive = ("actor_lr", "critic_lr", "batch_size", "buffer_size", "train_every")
        positive += ("updates_per_train", "policy_delay", "gumbel_temperature", "grad_clip")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"MADDPGConfig.{name} must be > 0, got {getattr(self, name)}")
        if not 0.0 <= self.gamma < 1.0:
            raise ValueError(f"MADDPGConfig.gamma must be in [0, 1), got {self.gamma}")
        if not 0.0 < self.tau <= 1.0:
            raise ValueError(f"MADDPGConfig.tau must be in (0, 1], got {self.tau}")
        if self.learning_starts < 0:
            raise ValueError(
                f"MADDPGConfig.learning_starts must be >= 0, got {self.learning_starts}"
            )
        if not self.hidden_sizes or min(self.hidden_sizes) <= 0:
            raise ValueError(f"MADDPGConfig.hidden_sizes must be positive, got {self.hidden_sizes}")
