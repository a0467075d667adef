"""How far an online run's policy has moved from its start, and whether its updates agree.

A flat learning curve has two readings that the anchor KL alone cannot tell apart: the updates
push steadily and the KL anchor pulls back as hard (anchor-bound), or the updates have no steady
direction (each batch's gradient is mostly its worlds' noise). Successive updates of a
directionless run point every which way (cosine near 0); a steady push keeps them aligned.

Only the policy's own parameters count: value heads and critics learn a different thing, and the
exploration log std is set by hand at the start.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

NOT_POLICY = {"value", "critic", "critic_encoder", "critic_head"}


def is_policy_parameter(name: str) -> bool:
    parts = name.split(".")
    return not any(part in NOT_POLICY or part.endswith("log_std") for part in parts)


def policy_vector(params: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """The policy's floating-point parameters, flattened in name order."""
    chosen = [
        params[name].detach().float().flatten().cpu()
        for name in sorted(params)
        if is_policy_parameter(name) and params[name].is_floating_point()
    ]
    if not chosen:
        raise ValueError(f"no policy parameters among {sorted(params)[:8]}")
    return torch.cat(chosen)


class UpdateDirection:
    """Call with the policy's parameters after each update; returns the run's curves:

    - ``losses/<module>/policy_drift``: the distance from the start, relative to the start's norm;
    - ``losses/<module>/update_cosine``: the cosine between this update's change and the one
      before (from the second update on).
    """

    def __init__(self, start: Mapping[str, torch.Tensor], module: str = "default_policy") -> None:
        self.start = policy_vector(start)
        self.previous, self.previous_change = self.start, None
        self.module = module

    def resume(self, params: Mapping[str, torch.Tensor]) -> None:
        """A restored run: the next update's change counts from ``params``, not from the start."""
        self.previous, self.previous_change = self._checked(params), None

    def _checked(self, params: Mapping[str, torch.Tensor]) -> torch.Tensor:
        now = policy_vector(params)
        if now.shape != self.start.shape:
            raise ValueError(f"policy has {now.numel()} parameters, its start {self.start.numel()}")
        return now

    def __call__(self, params: Mapping[str, torch.Tensor]) -> dict[str, float]:
        now = self._checked(params)
        change = now - self.previous
        out = {
            f"losses/{self.module}/policy_drift": float(
                (now - self.start).norm() / self.start.norm().clamp_min(1e-12)
            )
        }
        if self.previous_change is not None:
            out[f"losses/{self.module}/update_cosine"] = float(
                torch.nn.functional.cosine_similarity(change, self.previous_change, dim=0)
            )
        self.previous, self.previous_change = now, change
        return out
