"""The HRL layers as Stable-Baselines3 feature extractors.

PPO("MultiInputPolicy", daily_env, policy_kwargs={"features_extractor_class": DailyPlannerExtractor})
PPO("MultiInputPolicy", round_env, policy_kwargs={"features_extractor_class": RoundExtractor})
"""

from __future__ import annotations

import gymnasium as gym
import torch
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

from policies.hrl.horizon_manager import HorizonManager
from policies.hrl.round_encoder import RoundEncoder


class DailyPlannerExtractor(BaseFeaturesExtractor):
    """HorizonManager's fused features of an L2 observation (x_static, X_temporal, x_role)."""

    def __init__(self, observation_space: gym.spaces.Dict, hidden: int = 128) -> None:
        super().__init__(observation_space, features_dim=hidden)
        self.manager = HorizonManager(hidden=hidden)

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.manager.encode(observations)


class RoundExtractor(BaseFeaturesExtractor):
    """State, per-thread TDT encodings and coordinator attention of a round observation."""

    def __init__(
        self, observation_space: gym.spaces.Dict, hidden: int = 128, d_model: int = 32
    ) -> None:
        horizon = observation_space["time_mask"].shape[1] - 1
        max_threads = observation_space["threads"].shape[0]
        encoder = RoundEncoder(
            horizon, max_threads, observation_space["threads"].shape[1], hidden, d_model
        )
        super().__init__(observation_space, features_dim=encoder.features_dim)
        self.encoder = encoder

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.encoder(observations)
