"""L4 GlobalCoordinator: how to share the day's safe quantity and budget among the open threads.

Self-attention over the thread rows, with a time-distance bias (threads delivering on nearby
days compete for the same Q_safe: their attention scores are shifted by -alpha * |d_i - d_j| / H,
alpha learned) and a padding mask for a variable number of threads; a softmax over the valid
threads gives the reservation weights.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class GlobalCoordinator(nn.Module):
    def __init__(
        self, thread_features: int, d_model: int = 64, n_heads: int = 4, state_features: int = 0
    ) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.embed = nn.Linear(thread_features + state_features, d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.score = nn.Sequential(nn.ReLU(), nn.Linear(d_model, 1))
        self.distance_scale = nn.Parameter(torch.tensor(1.0))  # alpha = softplus(.) >= 0

    def attend(
        self,
        threads: torch.Tensor,
        delta: torch.Tensor,
        valid: torch.Tensor,
        state: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """(B, K, d_model) thread encodings after one biased attention layer."""
        batch, k = threads.shape[:2]
        x = (
            threads
            if state is None
            else torch.cat([threads, state[:, None].expand(-1, k, -1)], dim=-1)
        )
        x = self.embed(x)
        q, key, v = (
            self.qkv(x).view(batch, k, 3, self.n_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        )
        scores = q @ key.transpose(-1, -2) / self.head_dim**0.5  # (B, heads, K, K)
        distance = (delta[:, :, None] - delta[:, None, :]).abs()
        scores = scores - F.softplus(self.distance_scale) * distance[:, None]
        keys_valid = valid.bool()[:, None, None, :]
        scores = scores.masked_fill(~keys_valid, float("-inf"))
        scores = torch.nan_to_num(scores.softmax(dim=-1), nan=0.0)  # a row with no valid key: zeros
        mixed = (scores @ v).transpose(1, 2).reshape(batch, k, -1)
        return x + self.out(mixed)

    def forward(
        self,
        threads: torch.Tensor,
        delta: torch.Tensor,
        valid: torch.Tensor,
        state: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Reservation weights (B, K): softmax over valid threads, 0 on padding (all 0 if none).

        ``delta``: each thread's delivery offset / H (the bias's distance)."""
        logits = self.score(self.attend(threads, delta, valid, state)).squeeze(-1)
        logits = logits.masked_fill(~valid.bool(), float("-inf"))
        return torch.nan_to_num(logits.softmax(dim=-1), nan=0.0)
