"""Per-sample losses of the three layers (so AWR can weight them) and validation metrics."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from policies.hrl.bundle import HRLBundle


def l2_loss(bundle: HRLBundle, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Masked squared error of the goal mean against the v2 label, per sample."""
    obs = {k: batch[k].float() for k in ("x_static", "X_temporal", "x_role")}
    mean, _, _ = bundle.manager(obs)
    mask = batch["mask"].float()
    return ((mean - batch["target"].float()) ** 2 * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def proposal_outputs(
    bundle: HRLBundle, batch: dict[str, torch.Tensor], goals: torch.Tensor
) -> dict[str, torch.Tensor]:
    return bundle.transformer(
        goals,
        batch["history"].float(),
        batch["history_valid"],
        batch["context"].float(),
        batch["time_mask"],
    )


def proposal_loss(
    bundle: HRLBundle, batch: dict[str, torch.Tensor], goals: torch.Tensor
) -> torch.Tensor:
    """Residual MSE + time cross-entropy (forbidden offsets carry -inf logits), per sample."""
    out = proposal_outputs(bundle, batch, goals)
    residual = ((out["residual"] - batch["residual"].float().clamp(-1, 1)) ** 2).mean(1)
    time = F.cross_entropy(out["time_logits"], batch["time_label"], reduction="none")
    return residual + time


def answer_loss(
    bundle: HRLBundle, batch: dict[str, torch.Tensor], goals: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Operation cross-entropy per sample, and the logits."""
    context = batch["context"].float()
    h = bundle.transformer.encode(goals, batch["history"].float(), batch["history_valid"], context)
    logits = bundle.transformer.operation_logits(h, context)
    return F.cross_entropy(logits, batch["operation"], reduction="none"), logits


def coordination_loss(
    bundle: HRLBundle, batch: dict[str, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """KL(teacher || coordinator weights) per thread set, and the weights."""
    weights = bundle.coordinator(batch["threads"].float(), batch["delta"].float(), batch["valid"])
    teacher = batch["teacher"].float()
    valid = batch["valid"].bool()
    kl = torch.where(
        valid & (teacher > 0),
        teacher * (teacher.clamp_min(1e-12).log() - weights.clamp_min(1e-12).log()),
        0.0,
    )
    return kl.sum(1), weights


@torch.no_grad()
def validation_metrics(
    bundle: HRLBundle, l2: dict, proposals: dict, answers: dict, coordination: dict
) -> dict[str, float]:
    """Metrics on the validation worlds (definitions in the README's offline section)."""
    bundle.eval()
    out: dict[str, float] = {}
    obs = {k: l2[k].float() for k in ("x_static", "X_temporal", "x_role")}
    mean, _, _ = bundle.manager(obs)
    mask = l2["mask"].float()
    out["l2_mse"] = float(
        ((mean - l2["target"].float()) ** 2 * mask).sum() / mask.sum().clamp(min=1.0)
    )
    if len(proposals["time_label"]):
        goals = proposals["goal"].float()
        p = proposal_outputs(bundle, proposals, goals)
        out["l3_residual_mse"] = float(
            ((p["residual"] - proposals["residual"].float().clamp(-1, 1)) ** 2).mean()
        )
        out["l3_time_accuracy"] = float(
            (p["time_logits"].argmax(1) == proposals["time_label"]).float().mean()
        )
        allowed = proposals["time_mask"].bool()
        constrained = allowed.any(dim=1)  # rows where the shield allows some offset
        picked = allowed[torch.arange(len(allowed)), p["time_logits"].argmax(1)]
        out["l3_time_allowed"] = (
            float(picked[constrained].float().mean()) if constrained.any() else 1.0
        )
    if len(answers["operation"]):
        _, logits = answer_loss(bundle, answers, answers["goal"].float())
        out["l3_operation_accuracy"] = float(
            (logits.argmax(1) == answers["operation"]).float().mean()
        )
    if len(coordination["teacher"]):
        kl, weights = coordination_loss(bundle, coordination)
        out["l4_kl"] = float(kl.mean())
        out["l4_top1_agreement"] = float(
            (weights.argmax(1) == coordination["teacher"].argmax(1)).float().mean()
        )
    bundle.train()
    return out
