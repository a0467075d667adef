"""All three learned layers over one round-scale observation (``HRLXF/SCMLRound-v0``).

HorizonManager encodes the factory's state and proposes the day's goal; the
TemporalDecisionTransformer encodes each open thread with that goal as its prefix (the offer on
the table as the thread's history token, the thread row as its context); the GlobalCoordinator
attends across the threads with its time-distance bias. Output: the state features and every
thread's encoding (zeros on padding), flattened: (B, hidden + K * d_model).
"""

from __future__ import annotations

import torch
from torch import nn

from policies.decision.layouts import ROUND_FEATURES, STOCK_FEATURES
from policies.hrl.global_coordinator import GlobalCoordinator
from policies.hrl.horizon_manager import HorizonManager
from policies.hrl.temporal_decision_transformer import TemporalDecisionTransformer

# Columns of a thread row (envs.scml.thread_features): valid, is_buy, has_offer, offer q / q_max,
# offer price in the agenda range, offer delta / H, relative time, min delta / H, max delta / H,
# agenda max / (3 lines).
IS_BUY, HAS_OFFER, OFFER_Q, OFFER_P, OFFER_DELTA = 1, 2, 3, 4, 5


def thread_tokens(rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """History token (the offer on the table, not ours), its validity, and the context vector."""
    offer = torch.stack(
        [
            rows[..., OFFER_Q],
            rows[..., OFFER_DELTA],
            rows[..., OFFER_P],
            torch.zeros_like(rows[..., 0]),
        ],
        dim=-1,
    )
    zeros = torch.zeros_like(rows[..., :3])  # no L1 baseline in the observation
    context = torch.cat(
        [
            rows[..., IS_BUY : IS_BUY + 1],
            zeros,
            offer[..., :3],
            rows[..., HAS_OFFER : HAS_OFFER + 1],
            # round and stock features: not observed here
            torch.zeros_like(rows[..., : len(ROUND_FEATURES) + len(STOCK_FEATURES)]),
        ],
        dim=-1,
    )
    return offer, rows[..., HAS_OFFER] > 0.5, context


class RoundEncoder(nn.Module):
    def __init__(
        self,
        horizon: int,
        max_threads: int,
        thread_features: int = 10,
        hidden: int = 128,
        d_model: int = 32,
    ) -> None:
        super().__init__()
        self.manager = HorizonManager(hidden=hidden)
        self.transformer = TemporalDecisionTransformer(
            horizon, d_model=d_model, n_heads=2, n_layers=1, max_history=1
        )
        self.coordinator = GlobalCoordinator(d_model + thread_features, d_model=d_model, n_heads=2)
        self.max_threads = max_threads
        self.features_dim = hidden + max_threads * d_model

    def forward(self, obs: dict[str, torch.Tensor]) -> torch.Tensor:
        state = self.manager.encode(obs)
        goal = torch.tanh(self.manager.goal_mean(state))
        rows, valid = obs["threads"], obs["thread_mask"] > 0.5
        batch, k = rows.shape[:2]
        history, history_valid, context = thread_tokens(rows)
        per_thread = self.transformer.encode(
            goal.repeat_interleave(k, dim=0),
            history.reshape(batch * k, 1, -1),
            history_valid.reshape(batch * k, 1),
            context.reshape(batch * k, -1),
        ).view(batch, k, -1)
        attended = self.coordinator.attend(
            torch.cat([per_thread, rows], dim=-1), rows[..., OFFER_DELTA], valid
        )
        attended = attended * valid[..., None]
        return torch.cat([state, attended.flatten(1)], dim=1)
