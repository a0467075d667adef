"""RLlib's PPO learner with an optional KL anchor to the policy it started from.

The anchor is a frozen copy of each module taken when the learner is built, i.e. the offline
(AWR) policy the stage was initialised from, or, with ``anchor_bundle_dir`` in the learner
config, the same module started from that bundle instead: a long run cut into chunks (each
starting from the bundle the one before wrote) stays anchored to the policy the first chunk
started from. The loss gains ``anchor_kl_coeff * KL(pi || anchor)``
over the batch, so early updates cannot drift far from what imitation learned; the KL is logged
as ``anchor_kl`` per module. ``learner_config_dict={"anchor_kl_coeff": c}`` sets it (0: plain PPO).
The optimizer holds only the parameters a module leaves trainable (``requires_grad``).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from ray.rllib.algorithms.ppo.torch.ppo_torch_learner import PPOTorchLearner
from ray.rllib.core.columns import Columns

from policies.hrl.bundle import trainable_parameters

ANCHOR_KL = "anchor_kl"


class AnchoredPPOTorchLearner(PPOTorchLearner):
    def build(self) -> None:
        super().build()
        self.anchors = {}
        anchor_dir = (self.config.learner_config_dict or {}).get("anchor_bundle_dir")
        for module_id, module in self.module.items():
            anchor = copy.deepcopy(module.unwrapped()).eval()
            if anchor_dir:
                anchor.load_state_dict(started_from(module.unwrapped(), anchor_dir).state_dict())
            for parameter in anchor.parameters():
                parameter.requires_grad_(False)
            self.anchors[module_id] = anchor

    def get_parameters(self, module: Any) -> list[torch.nn.Parameter]:
        return trainable_parameters(module)

    def compute_loss_for_module(
        self, *, module_id: str, config: Any, batch: dict[str, Any], fwd_out: dict[str, Any]
    ) -> torch.Tensor:
        total = super().compute_loss_for_module(
            module_id=module_id, config=config, batch=batch, fwd_out=fwd_out
        )
        coeff = float((config.learner_config_dict or {}).get("anchor_kl_coeff", 0.0))
        if coeff <= 0.0:
            return total
        module = self.module[module_id].unwrapped()
        dist_cls = module.get_train_action_dist_cls()
        with torch.no_grad():
            anchor_inputs = self.anchors[module_id].forward_train(batch)[Columns.ACTION_DIST_INPUTS]
        current = dist_cls.from_logits(fwd_out[Columns.ACTION_DIST_INPUTS])
        kl = current.kl(dist_cls.from_logits(anchor_inputs))
        if Columns.LOSS_MASK in batch:
            mask = batch[Columns.LOSS_MASK]
            mean_kl = kl[mask].sum() / mask.sum().clamp(min=1)
        else:
            mean_kl = kl.mean()
        self.metrics.log_value((module_id, ANCHOR_KL), mean_kl.detach(), window=1)
        return total + coeff * mean_kl


def started_from(module: Any, bundle_dir: str) -> Any:
    """A module of ``module``'s class and spaces whose weights start from ``bundle_dir``."""
    return type(module)(
        observation_space=module.observation_space,
        action_space=module.action_space,
        inference_only=False,
        model_config={**(module.model_config or {}), "bundle_dir": bundle_dir},
    )
