"""BC and AWR over the offline samples: minibatch loops shared by both stages.

BC fits every head to the expert labels. AWR starts from the BC weights, fits the value head to
the (optionally shaped) returns-to-go, and weights each sample's loss by
exp(A / beta) (clipped), A being its day's advantage; the discrete time and operation heads are
trained by advantage-weighted cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from experiments.common.curves import CurveLogger
from experiments.train.losses import (
    answer_loss,
    coordination_loss,
    l2_loss,
    proposal_loss,
    validation_metrics,
)
from experiments.train.samples import OfflineSamples
from policies.hrl.bundle import HRLBundle, trainable_parameters


@dataclass(frozen=True)
class StageSettings:
    kind: str = "bc"  # bc | awr
    epochs: int = 20
    batch_size: int = 256
    lr: float = 1e-3
    beta: float = 1.0  # AWR temperature, in units of the advantage's std
    max_weight: float = 20.0
    value_epochs: int = 20  # AWR: value-head fitting before the weighted regression
    init_from: str | None = None  # a checkpoint directory to start from (None: fresh weights)
    checkpoint_every: int = 1  # epochs between resumable training states

    def __post_init__(self) -> None:
        if self.kind not in ("bc", "awr"):
            raise ValueError(f"stage kind must be bc or awr, got {self.kind!r}")
        if (
            self.epochs < 1
            or self.batch_size < 1
            or self.lr <= 0
            or self.beta <= 0
            or self.max_weight < 1
        ):
            raise ValueError(f"invalid stage settings: {self}")
        if self.kind == "awr" and not self.init_from:
            raise ValueError("stage awr starts from a BC checkpoint: set stage.init_from")


def select(table: dict[str, torch.Tensor], rows: torch.Tensor) -> dict[str, torch.Tensor]:
    return {k: v[rows] for k, v in table.items()}


def with_goals(
    table: dict[str, torch.Tensor], l2: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Attach L3's goal prefix: the day's goal its context features were computed from. On a
    DAgger learner's day with ``l2_labels=stated`` that is the learner's own goal, not the
    teacher's stated one L2 learns (a prefix and context from two goals would teach L3 inputs
    it never meets); elsewhere it equals L2's label."""
    return {**table, "goal": l2["l3_goal"][table["day_row"]]}


def minibatches(n: int, size: int, generator: torch.Generator):
    order = torch.randperm(n, generator=generator)
    for start in range(0, n, size):
        yield order[start : start + size]


def fit_value(
    bundle: HRLBundle,
    l2: dict,
    train_rows: torch.Tensor,
    settings: StageSettings,
    generator: torch.Generator,
) -> float:
    """Regress the manager's value head on standardized returns; returns the last epoch's MSE."""
    returns = l2["return"].float()
    scale = returns[train_rows].std().clamp(min=1e-6)
    optimizer = torch.optim.Adam(trainable_parameters(bundle.manager), lr=settings.lr)
    loss_value = 0.0
    for _ in range(settings.value_epochs):
        for rows in minibatches(len(train_rows), settings.batch_size, generator):
            idx = train_rows[rows]
            obs = {k: l2[k][idx].float() for k in ("x_static", "X_temporal", "x_role")}
            loss = F.mse_loss(bundle.manager(obs)[2], returns[idx] / scale)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_value = float(loss.detach())
    return loss_value


@torch.no_grad()
def advantage_weights(bundle: HRLBundle, l2: dict, settings: StageSettings) -> torch.Tensor:
    """exp(A / (beta * std A)) clipped to max_weight, one per day row."""
    obs = {k: l2[k].float() for k in ("x_static", "X_temporal", "x_role")}
    returns = l2["return"].float()
    scale = returns.std().clamp(min=1e-6)
    advantage = returns / scale - bundle.manager(obs)[2]
    advantage = (advantage - advantage.mean()) / advantage.std().clamp(min=1e-6)
    return torch.exp(advantage / settings.beta).clamp(max=settings.max_weight)


def train_stage(
    bundle: HRLBundle,
    samples: OfflineSamples,
    settings: StageSettings,
    seed: int,
    log: CurveLogger,
    state_path: Path | None = None,
) -> dict[str, float]:
    """Train in place; logs per-epoch losses (``losses/*``), the learning rate, throughput and
    validation metrics (``eval/*``) against training samples seen; returns the final metrics
    (with ``samples_seen``). With ``state_path``, the whole training state (weights, optimizer,
    schedule, generators, AWR weights) is written there every ``checkpoint_every`` epochs, and a
    state found there at the start is resumed: a killed stage goes on from its last epoch."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    l2 = samples.l2
    tables = {
        "proposals": with_goals(samples.proposals, l2),
        "answers": with_goals(samples.answers, l2),
        "coordination": samples.coordination,
    }
    train = {
        name: torch.nonzero(~t["is_val"]).squeeze(1) for name, t in (("l2", l2), *tables.items())
    }
    val = {name: torch.nonzero(t["is_val"]).squeeze(1) for name, t in (("l2", l2), *tables.items())}
    day_weight = torch.ones(len(l2["target"]))
    resumed = state_path is not None and state_path.is_file()
    if settings.kind == "awr" and not resumed:
        log("losses/awr_value", fit_value(bundle, l2, train["l2"], settings, generator), 0)
        day_weight = advantage_weights(bundle, l2, settings)
        log("charts/awr_mean_weight", float(day_weight[train["l2"]].mean()), 0)
    optimizer = torch.optim.Adam(trainable_parameters(bundle), lr=settings.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings.epochs)
    n_steps = max(len(train[name]) for name in train) // settings.batch_size + 1
    metrics: dict[str, float] = {}
    samples_seen, first_epoch = 0, 0
    if resumed:
        assert state_path is not None
        state = torch.load(state_path, weights_only=False)
        bundle.load_state_dict(state["bundle"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        generator.set_state(state["generator"])
        torch.set_rng_state(state["torch"])
        day_weight, metrics = state["day_weight"], state["metrics"]
        samples_seen, first_epoch = state["samples_seen"], state["epoch"] + 1

    def save_state(epoch: int) -> None:
        assert state_path is not None
        tmp = state_path.with_name(state_path.name + ".tmp")
        torch.save(
            {
                "bundle": bundle.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "generator": generator.get_state(),
                "torch": torch.get_rng_state(),
                "day_weight": day_weight,
                "metrics": metrics,
                "samples_seen": samples_seen,
                "epoch": epoch,
            },
            tmp,
        )
        tmp.replace(state_path)

    def weighted(loss: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        w = day_weight[rows]
        return (w * loss).sum() / w.sum()

    log.steps(samples_seen)
    epochs = range(first_epoch, settings.epochs)
    for epoch in tqdm(
        epochs,
        desc=f"{settings.kind} epochs",
        unit="epoch",
        initial=first_epoch,
        total=settings.epochs,
    ):
        totals = {"l2": 0.0, "proposals": 0.0, "answers": 0.0, "coordination": 0.0}
        for _ in range(n_steps):
            losses = []
            for name in totals:
                pool = train[name]
                if len(pool) == 0:
                    continue
                idx = pool[
                    torch.randint(
                        len(pool), (min(settings.batch_size, len(pool)),), generator=generator
                    )
                ]
                if name == "l2":
                    batch = select(l2, idx)
                    loss = weighted(l2_loss(bundle, batch), idx)
                elif name == "proposals":
                    batch = select(tables[name], idx)
                    loss = weighted(
                        proposal_loss(bundle, batch, batch["goal"].float()), batch["day_row"]
                    )
                elif name == "answers":
                    batch = select(tables[name], idx)
                    loss = weighted(
                        answer_loss(bundle, batch, batch["goal"].float())[0], batch["day_row"]
                    )
                else:
                    batch = select(tables[name], idx)
                    loss = weighted(coordination_loss(bundle, batch)[0], batch["day_row"])
                totals[name] += float(loss.detach()) / n_steps
                losses.append(loss)
                samples_seen += len(idx)
            optimizer.zero_grad()
            torch.stack(losses).sum().backward()
            torch.nn.utils.clip_grad_norm_(bundle.parameters(), 1.0)
            optimizer.step()
        scheduler.step()
        for name, value in totals.items():
            log(f"losses/{name}", value, samples_seen)
        log("charts/learning_rate", scheduler.get_last_lr()[0], samples_seen)
        log.steps(samples_seen)
        metrics = validation_metrics(
            bundle,
            select(l2, val["l2"]),
            *(select(tables[n], val[n]) for n in ("proposals", "answers", "coordination")),
        )
        for name, value in metrics.items():
            log(f"eval/{name}", value, samples_seen)
        if state_path is not None and (epoch + 1) % settings.checkpoint_every == 0:
            save_state(epoch)
    return {**metrics, "samples_seen": samples_seen}


def sample_counts(samples: OfflineSamples) -> dict[str, int]:
    out = {}
    for name in ("l2", "proposals", "answers", "coordination"):
        table = getattr(samples, name)
        n_val = int(table["is_val"].sum())
        out[f"{name}_train"], out[f"{name}_val"] = len(table["is_val"]) - n_val, n_val
    out["val_worlds"] = int(np.sum(samples.is_val_world))
    out["train_worlds"] = int(len(samples.is_val_world) - out["val_worlds"])
    return out
