"""L2 HorizonManager: the daily planner.

A 1D-CNN tower reads X_temporal (H+1 days x 10 features), an MLP reads x_static, a role
embedding reads x_role (can buy, can sell); the fused features feed a Gaussian head over the
16-value goal (normalized, tanh mean) and a value head.

``goal_offset`` (one row per supply-chain position, zero and frozen unless a stage unfreezes it)
is added to the goal's pre-tanh mean at that position only: an online stage can train it alone
to move one level's goals without touching the shared network, which every level reads.
"""

from __future__ import annotations

import torch
from torch import nn

from policies.decision.layouts import ROLE_FEATURES, STATIC_FEATURES, TEMPORAL_FEATURES
from policies.decision.market_view import POSITIONS
from policies.l2_goal import GOAL_DIM, N_BUCKETS

N_STATIC, N_TEMPORAL, N_ROLE = len(STATIC_FEATURES), len(TEMPORAL_FEATURES), len(ROLE_FEATURES)


def role_goal_mask(x_role: torch.Tensor) -> torch.Tensor:
    """(B, 16) 1 on the goal entries of the sides the factory can negotiate.

    The goal is bucket-major (entry b * 4 + component), components Q_BUY, P_BUY, Q_SELL, P_SELL.
    """
    can_buy, can_sell = x_role[:, 0:1], x_role[:, 1:2]
    per_bucket = torch.cat([can_buy, can_buy, can_sell, can_sell], dim=1)
    return per_bucket.repeat(1, N_BUCKETS)


def position_role(level: int) -> torch.Tensor:
    """(1, 2) ``x_role`` (can_buy, can_sell) of a supply-chain level: 0 first, 1 middle, 2 last."""
    if level not in range(len(POSITIONS)):
        raise ValueError(f"level must be 0, 1 or 2 ({', '.join(POSITIONS)}), got {level}")
    return torch.tensor([[float(level > 0), float(level < len(POSITIONS) - 1)]])


def position_index(x_role: torch.Tensor) -> torch.Tensor:
    """(B,) 0 first level (cannot buy), 1 middle (buys and sells), 2 last (cannot sell)."""
    can_buy, can_sell = x_role[:, 0] > 0.5, x_role[:, 1] > 0.5
    return torch.where(~can_buy, 0, torch.where(can_sell, 1, 2))


class HorizonManager(nn.Module):
    def __init__(
        self, hidden: int = 128, channels: tuple[int, int] = (32, 64), role_dim: int = 16
    ) -> None:
        super().__init__()
        self.temporal = nn.Sequential(
            nn.Conv1d(N_TEMPORAL, channels[0], kernel_size=5, padding=2),
            nn.ReLU(),
            nn.Conv1d(channels[0], channels[1], kernel_size=7, padding=3),
            nn.ReLU(),
        )
        self.static = nn.Sequential(nn.Linear(N_STATIC, 64), nn.ReLU())
        self.role = nn.Linear(N_ROLE, role_dim)
        self.trunk = nn.Sequential(
            nn.Linear(2 * channels[1] + 64 + role_dim, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.goal_mean = nn.Linear(hidden, GOAL_DIM)
        self.goal_log_std = nn.Parameter(torch.full((GOAL_DIM,), -0.5))
        self.value = nn.Linear(hidden, 1)
        self.goal_offset = nn.Parameter(torch.zeros(len(POSITIONS), GOAL_DIM), requires_grad=False)
        self.features_dim = hidden

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        # Bundles saved before the offset existed load with it at zero: they play as they did.
        state_dict.setdefault(prefix + "goal_offset", torch.zeros_like(self.goal_offset))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def zero_value(self) -> None:
        """Zero the value head: V = 0 for every observation until training fits it (an
        imitation's head was never fitted to the returns an online stage sees)."""
        with torch.no_grad():
            self.value.weight.zero_()
            self.value.bias.zero_()

    def encode(self, obs: dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, hidden) features of a batch of L2 observations."""
        days = self.temporal(obs["X_temporal"].transpose(1, 2))  # (B, C, H+1)
        pooled = torch.cat([days.mean(dim=2), days.amax(dim=2)], dim=1)  # any horizon length
        return self.trunk(
            torch.cat([pooled, self.static(obs["x_static"]), self.role(obs["x_role"])], dim=1)
        )

    def forward(
        self, obs: dict[str, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Goal mean in [-1, 1]^16 (zero on sides the factory cannot negotiate), log std, value."""
        features = self.encode(obs)
        offset = self.goal_offset[position_index(obs["x_role"])]
        mean = torch.tanh(self.goal_mean(features) + offset) * role_goal_mask(obs["x_role"])
        return mean, self.goal_log_std.expand_as(mean), self.value(features).squeeze(-1)
