"""Greedy actions of RLlib-trained modules for every agent of a PettingZoo env, from a checkpoint.

Needs only torch and the RLlib module classes (no running Ray cluster)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from policies.sharing import module_of


class RLlibTeam:
    """``team(observations) -> actions`` for a dict of agents, each mapped to its module."""

    def __init__(
        self, modules: dict[str, Any], sharing: str, action_spaces: dict[str, gym.Space]
    ) -> None:
        self.modules, self.sharing, self.action_spaces = modules, sharing, action_spaces
        for agent in action_spaces:
            if module_of(agent, sharing) not in modules:
                raise ValueError(
                    f"no module {module_of(agent, sharing)!r} for agent {agent!r}; have {sorted(modules)}"
                )

    @classmethod
    def from_checkpoint(
        cls, checkpoint: Path, sharing: str, action_spaces: dict[str, gym.Space]
    ) -> RLlibTeam:
        from ray.rllib.core.rl_module.rl_module import RLModule

        root = Path(checkpoint) / "learner_group" / "learner" / "rl_module"
        if not root.is_dir():
            raise ValueError(f"{checkpoint} is not an RLlib algorithm checkpoint (no {root})")
        modules = {
            p.name: RLModule.from_checkpoint(str(p)) for p in sorted(root.iterdir()) if p.is_dir()
        }
        return cls(modules, sharing, action_spaces)

    @torch.no_grad()
    def __call__(self, observations: dict[str, np.ndarray]) -> dict[str, Any]:
        from ray.rllib.core.columns import Columns

        actions = {}
        for agent, obs in observations.items():
            module = self.modules[module_of(agent, self.sharing)]
            out = module.forward_inference(
                {Columns.OBS: torch.as_tensor(obs, dtype=torch.float32)[None]}
            )
            inputs = out[Columns.ACTION_DIST_INPUTS][0].numpy()
            space = self.action_spaces[agent]
            if isinstance(space, gym.spaces.Discrete):
                actions[agent] = int(np.argmax(inputs))
            else:  # diagonal Gaussian: the first half is the mean, in RLlib's normalized [-1, 1]
                mean = inputs[: space.shape[0]]
                actions[agent] = (
                    space.low + (np.clip(mean, -1.0, 1.0) + 1.0) / 2.0 * (space.high - space.low)
                ).astype(space.dtype)
        return actions
