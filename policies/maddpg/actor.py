"""Decentralized actor as an RLlib TorchRLModule.

Discrete spaces: the module outputs logits; the critic sees a one-hot (Gumbel-softmax while
learning). Box spaces: the module outputs a tanh action in [-1, 1]^d (RLlib's default action
normalization maps it onto the space's bounds, and so does ``to_env_action``).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from ray.rllib.core.columns import Columns
from ray.rllib.core.distribution.torch.torch_distribution import TorchDeterministic
from ray.rllib.core.rl_module.torch import TorchRLModule
from torch import nn


def mlp(in_dim: int, hidden_sizes: tuple[int, ...] | list[int], out_dim: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for size in hidden_sizes:
        layers += [nn.Linear(in_dim, size), nn.ReLU()]
        in_dim = size
    layers.append(nn.Linear(in_dim, out_dim))
    return nn.Sequential(*layers)


def action_dim(space: gym.Space) -> int:
    """Width of an action as the critic sees it (one-hot for Discrete, the vector for Box)."""
    if isinstance(space, gym.spaces.Discrete):
        return int(space.n)
    if isinstance(space, gym.spaces.Box) and len(space.shape) == 1:
        return int(space.shape[0])
    raise ValueError(f"MADDPG supports Discrete and 1-D Box action spaces, got {space}")


class MADDPGActor(TorchRLModule):
    """mu_i(o_i). ``model_config``: {"hidden_sizes": [64, 64]}."""

    def setup(self) -> None:
        if not (
            isinstance(self.observation_space, gym.spaces.Box)
            and len(self.observation_space.shape) == 1
        ):
            raise ValueError(
                f"MADDPGActor needs a 1-D Box observation space, got {self.observation_space}"
            )
        self.discrete = isinstance(self.action_space, gym.spaces.Discrete)
        self.out_dim = action_dim(self.action_space)
        hidden = tuple((self.model_config or {}).get("hidden_sizes", (64, 64)))
        self.net = mlp(int(self.observation_space.shape[0]), hidden, self.out_dim)
        if not self.discrete:
            self.action_dist_cls = TorchDeterministic

    def raw(self, obs: torch.Tensor) -> torch.Tensor:
        """Pre-activation output: logits (Discrete) or pre-tanh action (Box)."""
        return self.net(obs)

    def _forward(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        raw = self.raw(batch[Columns.OBS])
        return {Columns.ACTION_DIST_INPUTS: raw if self.discrete else torch.tanh(raw)}

    # --- actions as the critic sees them ----------------------------------------------------
    def policy_action(
        self, obs: torch.Tensor, temperature: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Differentiable action (straight-through Gumbel-softmax one-hot, or tanh) and raw output."""
        raw = self.raw(obs)
        if self.discrete:
            return F.gumbel_softmax(raw, tau=temperature, hard=True), raw
        return torch.tanh(raw), raw

    @torch.no_grad()
    def greedy_action(self, obs: torch.Tensor) -> torch.Tensor:
        """Deterministic action: one-hot of the argmax, or tanh."""
        raw = self.raw(obs)
        if self.discrete:
            return F.one_hot(raw.argmax(-1), self.out_dim).float()
        return torch.tanh(raw)

    @torch.no_grad()
    def explore_action(self, obs: torch.Tensor, temperature: float, noise: float) -> torch.Tensor:
        """Exploratory action: a hard Gumbel-softmax sample, or tanh plus clipped Gaussian noise."""
        raw = self.raw(obs)
        if self.discrete:
            return F.gumbel_softmax(raw, tau=temperature, hard=True)
        return (torch.tanh(raw) + noise * torch.randn_like(raw)).clamp(-1.0, 1.0)

    def to_env_action(self, action: np.ndarray) -> Any:
        """One critic-space action (dim,) -> the env's action."""
        return to_env_action(self.action_space, action)


def to_env_action(space: gym.Space, action: np.ndarray) -> Any:
    """A critic-space action (one-hot / [-1, 1]^d) -> the env's action (index / point in the box)."""
    if isinstance(space, gym.spaces.Discrete):
        return int(np.argmax(action))
    return (space.low + (action + 1.0) * 0.5 * (space.high - space.low)).astype(space.dtype)


def env_actions(spaces: list[gym.Space], actions: list[np.ndarray]) -> list[list]:
    """Per agent (E, dim) critic-space actions -> per agent lists of E env actions."""
    return [
        [to_env_action(space, row) for row in a] for space, a in zip(spaces, actions, strict=True)
    ]


def random_actions(spaces: list[gym.Space], n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Uniform critic-space actions (one-hot or [-1, 1]^d), (n, dim) per agent."""
    out = []
    for space in spaces:
        dim = action_dim(space)
        if isinstance(space, gym.spaces.Discrete):
            out.append(np.eye(dim, dtype=np.float32)[rng.integers(0, dim, size=n)])
        else:
            out.append(rng.uniform(-1.0, 1.0, size=(n, dim)).astype(np.float32))
    return out
