"""PPO's hyper-parameters, spelled once for Stable-Baselines3 and RLlib.

Every PPO config of the project (``conf/algo/*``, ``conf/stage/ppo.yaml`` and ``selfplay.yaml``,
the ``ppo`` sections of ``train_rllib_ppo`` and ``evaluate_calibration``) uses these names; the
two libraries get their own spelling from :meth:`PPOHyperParams.sb3_kwargs` and
:meth:`PPOHyperParams.rllib_training`, and nowhere else.

| here | Stable-Baselines3 | RLlib (``PPOConfig.training``) |
|---|---|---|
| train_batch_size | n_steps (per env) | train_batch_size_per_learner |
| minibatch_size | batch_size | minibatch_size |
| num_epochs | n_epochs | num_epochs |
| lr | learning_rate | lr |
| gamma | gamma | gamma |
| gae_lambda | gae_lambda | lambda_ |
| clip | clip_range | clip_param |
| entropy_coeff | ent_coef | entropy_coeff |
| vf_loss_coeff | vf_coef | vf_loss_coeff |
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class PPOHyperParams:
    """PPO's update: how much experience per update, how it is cut and replayed, the losses."""

    train_batch_size: int = 512  # environment steps per update (SB3: per env)
    minibatch_size: int = 64
    num_epochs: int = 5
    lr: float = 3e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip: float = 0.2
    entropy_coeff: float = 0.0
    vf_loss_coeff: float = 0.5

    def __post_init__(self) -> None:
        if self.train_batch_size < 1 or self.minibatch_size < 1 or self.num_epochs < 1:
            raise ValueError(
                "train_batch_size, minibatch_size and num_epochs must be >= 1, got "
                f"{self.train_batch_size}, {self.minibatch_size}, {self.num_epochs}"
            )
        if self.minibatch_size > self.train_batch_size:
            raise ValueError(
                f"minibatch_size {self.minibatch_size} exceeds train_batch_size {self.train_batch_size}"
            )
        bad = {
            "lr": self.lr <= 0,
            "clip": self.clip <= 0,
            "gamma": not 0 <= self.gamma <= 1,
            "gae_lambda": not 0 <= self.gae_lambda <= 1,
            "entropy_coeff": self.entropy_coeff < 0,
            "vf_loss_coeff": self.vf_loss_coeff < 0,
        }
        named = [name for name, wrong in bad.items() if wrong]
        if named:
            raise ValueError(f"PPO settings out of range: {named} ({self})")

    def sb3_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of SB3's (and sb3-contrib's) PPO constructor."""
        return {
            "n_steps": self.train_batch_size,
            "batch_size": self.minibatch_size,
            "n_epochs": self.num_epochs,
            "learning_rate": self.lr,
            "gamma": self.gamma,
            "gae_lambda": self.gae_lambda,
            "clip_range": self.clip,
            "ent_coef": self.entropy_coeff,
            "vf_coef": self.vf_loss_coeff,
        }

    def rllib_training(self) -> dict[str, Any]:
        """Keyword arguments of RLlib's ``PPOConfig.training``."""
        return {
            "train_batch_size_per_learner": self.train_batch_size,
            "minibatch_size": self.minibatch_size,
            "num_epochs": self.num_epochs,
            "lr": self.lr,
            "gamma": self.gamma,
            "lambda_": self.gae_lambda,
            "clip_param": self.clip,
            "entropy_coeff": self.entropy_coeff,
            "vf_loss_coeff": self.vf_loss_coeff,
        }

    @classmethod
    def pick(cls, settings: Any) -> PPOHyperParams:
        """The hyper-parameters out of any settings object that carries them (a subclass)."""
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class RLlibPPOSettings(PPOHyperParams):
    """PPO of the market line on RLlib: the hyper-parameters, where sampling runs, the network."""

    train_batch_size: int = 1000
    minibatch_size: int = 250
    num_epochs: int = 4
    clip: float = 0.3  # RLlib's own defaults, which the market line's results were measured with
    vf_loss_coeff: float = 1.0
    num_env_runners: int = 0  # 0: sample on the driver (one core); >0 spreads sampling over Ray
    rollout_fragment_length: str = "auto"  # or an integer (as text) dividing train_batch_size
    hidden_sizes: list[int] = field(default_factory=lambda: [64, 64])

    def __post_init__(self) -> None:
        super().__post_init__()
        fragment = str(self.rollout_fragment_length)
        if fragment != "auto" and not fragment.isdigit():
            raise ValueError(
                f"rollout_fragment_length must be auto or an integer, got {fragment!r}"
            )
        if self.num_env_runners < 0 or not self.hidden_sizes:
            raise ValueError("need num_env_runners >= 0 and at least one hidden layer")

    @property
    def fragment(self) -> str | int:
        fragment = str(self.rollout_fragment_length)
        return fragment if fragment == "auto" else int(fragment)
