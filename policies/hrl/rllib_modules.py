"""The HRL layers as RLlib RLModules (new API stack), PPO-ready (policy + value function).

``DailyPlannerModule`` for ``HRLXF/SCMLDaily-v0`` (Gaussian goal), ``RoundModule`` for
``HRLXF/SCMLRound-v0`` (one categorical per MultiDiscrete component).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch
from ray.rllib.core.columns import Columns
from ray.rllib.core.rl_module.apis import ValueFunctionAPI
from ray.rllib.core.rl_module.torch import TorchRLModule
from torch import nn

from policies.hrl.horizon_manager import HorizonManager
from policies.hrl.round_encoder import RoundEncoder


class DailyPlannerModule(TorchRLModule, ValueFunctionAPI):
    def setup(self) -> None:
        if not isinstance(self.action_space, gym.spaces.Box) or self.action_space.shape != (16,):
            raise ValueError(
                f"DailyPlannerModule needs the 16-value goal action, got {self.action_space}"
            )
        self.manager = HorizonManager(hidden=int((self.model_config or {}).get("hidden", 128)))

    def _forward(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        mean, log_std, _ = self.manager(batch[Columns.OBS])
        return {Columns.ACTION_DIST_INPUTS: torch.cat([mean, log_std], dim=-1)}

    def compute_values(self, batch: dict[str, Any], embeddings: Any = None) -> torch.Tensor:
        return self.manager(batch[Columns.OBS])[2]


class RoundModule(TorchRLModule, ValueFunctionAPI):
    def setup(self) -> None:
        if not isinstance(self.action_space, gym.spaces.MultiDiscrete):
            raise ValueError(
                f"RoundModule needs a MultiDiscrete action space, got {self.action_space}"
            )
        space = self.observation_space
        config = self.model_config or {}
        self.encoder = RoundEncoder(
            space["time_mask"].shape[1] - 1,
            space["threads"].shape[0],
            space["threads"].shape[1],
            int(config.get("hidden", 128)),
            int(config.get("d_model", 32)),
        )
        self.logits = nn.Linear(self.encoder.features_dim, int(np.sum(self.action_space.nvec)))
        self.value = nn.Linear(self.encoder.features_dim, 1)

    def _forward(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {Columns.ACTION_DIST_INPUTS: self.logits(self.encoder(batch[Columns.OBS]))}

    def compute_values(self, batch: dict[str, Any], embeddings: Any = None) -> torch.Tensor:
        return self.value(self.encoder(batch[Columns.OBS])).squeeze(-1)
