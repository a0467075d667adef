"""RLlib action distribution of the L3 action form (``envs.scml.l3_form``), masked.

Per thread slot the module emits ``[valid, operation logits (3), delivery logits (H+1),
residual mean (2), residual log std (2)]``, masks already applied to the logits (a forbidden
choice gets a large negative logit, so its probability is 0 and KL stays finite). The joint
distribution of a slot: the operation; then, only when it is a counter, the delivery offset and
the Gaussian residual (an accept or an end uses neither, so they add nothing to the log
probability, the entropy or the KL). Padding slots (valid = 0) add nothing at all.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
from ray.rllib.core.distribution.distribution import Distribution
from torch.distributions import Categorical, Normal

from policies.decision.thread_actions import COUNTER_INDEX, N_OPERATIONS

MASKED_LOGIT = -1e9
LOG_STD_RANGE = (-5.0, 2.0)


def slot_width(horizon: int) -> int:
    return 1 + N_OPERATIONS + (horizon + 1) + 4


class ThreadActionDistribution(Distribution):
    """Over ``{"operation": (B, K), "delivery": (B, K), "residual": (B, K, 2)}``."""

    n_threads: int = 0
    horizon: int = 0

    def __init__(self, logits: torch.Tensor, deterministic: bool = False) -> None:
        super().__init__()
        k, h = self.n_threads, self.horizon
        parts = logits.reshape(*logits.shape[:-1], k, slot_width(h))
        self.logits = logits
        self.deterministic = deterministic
        self.valid = parts[..., 0]
        self.operation = Categorical(logits=parts[..., 1 : 1 + N_OPERATIONS])
        self.delivery = Categorical(logits=parts[..., 1 + N_OPERATIONS : 2 + N_OPERATIONS + h])
        mean = parts[..., -4:-2]
        log_std = parts[..., -2:].clamp(*LOG_STD_RANGE)
        self.residual = Normal(mean, log_std.exp())

    @classmethod
    def from_logits(cls, logits: torch.Tensor, **kwargs: Any) -> ThreadActionDistribution:
        return cls(logits, **kwargs)

    @staticmethod
    def required_input_dim(space: Any, **kwargs: Any) -> int:
        k = space["operation"].shape[0]
        return k * slot_width(int(space["delivery"].nvec[0]) - 1)

    def to_deterministic(self) -> ThreadActionDistribution:
        return type(self)(self.logits, deterministic=True)

    def sample(self, *, sample_shape: Any = None, **kwargs: Any) -> dict[str, torch.Tensor]:
        if self.deterministic:
            return {
                "operation": self.operation.probs.argmax(-1),
                "delivery": self.delivery.probs.argmax(-1),
                "residual": self.residual.mean,
            }
        return {
            "operation": self.operation.sample(),
            "delivery": self.delivery.sample(),
            "residual": self.residual.sample(),
        }

    def rsample(self, *, sample_shape: Any = None, **kwargs: Any) -> dict[str, torch.Tensor]:
        raise NotImplementedError("the L3 action has discrete parts: no reparameterised sample")

    def _counter_probability(self) -> torch.Tensor:
        return self.operation.probs[..., COUNTER_INDEX]

    def logp(self, value: dict[str, torch.Tensor], **kwargs: Any) -> torch.Tensor:
        operation = value["operation"].long()
        counter = (operation == COUNTER_INDEX).float()
        per_slot = self.operation.log_prob(operation) + counter * (
            self.delivery.log_prob(value["delivery"].long())
            + self.residual.log_prob(value["residual"].float()).sum(-1)
        )
        return (per_slot * self.valid).sum(-1)

    def entropy(self, **kwargs: Any) -> torch.Tensor:
        per_slot = self.operation.entropy() + self._counter_probability() * (
            self.delivery.entropy() + self.residual.entropy().sum(-1)
        )
        return (per_slot * self.valid).sum(-1)

    def kl(self, other: Distribution, **kwargs: Any) -> torch.Tensor:
        assert isinstance(other, ThreadActionDistribution)
        kl = torch.distributions.kl.kl_divergence
        per_slot = kl(self.operation, other.operation) + self._counter_probability() * (
            kl(self.delivery, other.delivery) + kl(self.residual, other.residual).sum(-1)
        )
        return (per_slot * self.valid).sum(-1)


@functools.cache
def thread_action_distribution(n_threads: int, horizon: int) -> type[ThreadActionDistribution]:
    """The distribution class of ``n_threads`` slots and delivery offsets 0..``horizon``."""
    return type(
        f"ThreadActionDistribution{n_threads}x{horizon}",
        (ThreadActionDistribution,),
        {"n_threads": n_threads, "horizon": horizon, "__module__": __name__},
    )


def masked(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Logits with the forbidden choices (mask 0) set to a large negative number."""
    return torch.where(mask > 0.5, logits, torch.full_like(logits, MASKED_LOGIT))
