"""The HRL layers as RLlib RLModules (new API stack), PPO-ready (policy + value function).

- ``DailyPlannerModule`` (L2) for ``HRLXF/SCMLDaily-v0``: the HorizonManager's Gaussian goal.
- ``CentralCriticPlannerModule``: the same actor with a centralised critic (MAPPO) over every
  learner's observation, for ``SCMLParallelEnv(critic_state=True)`` in self-play.
- ``ThreadPolicyModule`` (L3) for ``HRLXF/SCMLRound-v0`` in the L3 action form: the
  TemporalDecisionTransformer per thread slot, masked (``policies.hrl.rllib_distributions``),
  with a HorizonManager as its critic.
- ``RoundModule`` for the round env's grid form (one categorical per MultiDiscrete component).

With ``model_config["bundle_dir"]`` the L2 and L3 modules start from a saved
:class:`~policies.hrl.bundle.HRLBundle` (the AWR checkpoint), so PPO fine-tunes the offline
policy; :func:`write_into_bundle` puts the trained weights back into a bundle for export.
"""

from __future__ import annotations

import copy
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from ray.rllib.core.columns import Columns
from ray.rllib.core.rl_module.apis import ValueFunctionAPI
from ray.rllib.core.rl_module.torch import TorchRLModule
from torch import nn

from policies.decision.layouts import CRITIC_STATE
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.horizon_manager import HorizonManager
from policies.hrl.rllib_distributions import masked, slot_width, thread_action_distribution
from policies.hrl.round_encoder import RoundEncoder
from policies.hrl.temporal_decision_transformer import TemporalDecisionTransformer
from policies.l2_goal import L2_TRAINABLE


def _bundle(config: dict[str, Any]) -> HRLBundle | None:
    directory = config.get("bundle_dir")
    return HRLBundle.load(directory) if directory else None


class DailyPlannerModule(TorchRLModule, ValueFunctionAPI):
    """L2. model_config: ``bundle_dir`` (start from its manager) or ``hidden``;
    ``goal_log_std`` (optional): the goal's exploration noise at the start, in place of the
    bundle's (an imitation never trains it, so it is whatever the network was built with);
    ``trainable``: ``all`` (the network, its noise and value head) or ``goal_offsets`` (only the
    per-position goal offsets and the value head: a change confined to the positions played)."""

    def setup(self) -> None:
        if not isinstance(self.action_space, gym.spaces.Box) or self.action_space.shape != (16,):
            raise ValueError(
                f"DailyPlannerModule needs the 16-value goal action, got {self.action_space}"
            )
        config = self.model_config or {}
        bundle = _bundle(config)
        hidden = bundle.config.hidden if bundle else int(config.get("hidden", 128))
        self.manager = HorizonManager(hidden=hidden)
        if bundle is not None:
            self.manager.load_state_dict(bundle.manager.state_dict())
        if config.get("goal_log_std") is not None:
            with torch.no_grad():
                self.manager.goal_log_std.fill_(float(config["goal_log_std"]))
        trainable = config.get("trainable", "all")
        if trainable not in L2_TRAINABLE:
            raise ValueError(f"trainable must be one of {L2_TRAINABLE}, got {trainable!r}")
        if trainable == "goal_offsets":
            for name, parameter in self.manager.named_parameters():
                parameter.requires_grad_(name == "goal_offset" or name.startswith("value."))

    def _forward(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        mean, log_std, _ = self.manager(batch[Columns.OBS])
        return {Columns.ACTION_DIST_INPUTS: torch.cat([mean, log_std], dim=-1)}

    def compute_values(self, batch: dict[str, Any], embeddings: Any = None) -> torch.Tensor:
        return self.manager(batch[Columns.OBS])[2]


class CentralCriticPlannerModule(DailyPlannerModule):
    """L2 actor of :class:`DailyPlannerModule` (it reads only its own observation) with a
    centralised critic: V(own encoding, mean encoding of the other learners), every learner's
    observation encoded by one HorizonManager that starts as a copy of the actor's and trains
    apart from it. Reads ``obs["critic"]`` of ``SCMLParallelEnv(critic_state=True)``; the
    critic's weights are not part of the bundle (the export needs the actor only)."""

    def setup(self) -> None:
        super().setup()
        space = self.observation_space
        if not isinstance(space, gym.spaces.Dict) or CRITIC_STATE not in space.spaces:
            raise ValueError(
                f"CentralCriticPlannerModule needs observation[{CRITIC_STATE!r}] "
                "(SCMLParallelEnv(critic_state=True)); got keys "
                f"{sorted(getattr(space, 'spaces', {}))}"
            )
        hidden = self.manager.features_dim
        self.critic_encoder = copy.deepcopy(self.manager)
        self.critic_head = nn.Sequential(
            nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)
        )

    def compute_values(self, batch: dict[str, Any], embeddings: Any = None) -> torch.Tensor:
        state = batch[Columns.OBS][CRITIC_STATE]
        own = state["self"]  # (B, N) one-hot
        b, n = own.shape
        every = {
            key: state[key].reshape(b * n, *state[key].shape[2:])
            for key in ("x_static", "X_temporal", "x_role")
        }
        encoded = self.critic_encoder.encode(every).view(b, n, -1)
        mine = (own[..., None] * encoded).sum(dim=1)
        others = 1.0 - own
        mean_others = (others[..., None] * encoded).sum(dim=1) / others.sum(
            dim=1, keepdim=True
        ).clamp(min=1.0)
        return self.critic_head(torch.cat([mine, mean_others], dim=-1)).squeeze(-1)


class ThreadPolicyModule(TorchRLModule, ValueFunctionAPI):
    """L3 over the round env's L3 form. model_config: ``bundle_dir`` (start from its transformer,
    and its manager as the critic), else ``d_model``, ``n_layers``, ``hidden``;
    ``residual_log_std``: initial log std of the residuals' exploration noise."""

    def setup(self) -> None:
        space = self.observation_space
        if not isinstance(self.action_space, gym.spaces.Dict) or "residual" not in (
            self.action_space.spaces
        ):
            raise ValueError(
                f"ThreadPolicyModule needs the round env's L3 action form, got {self.action_space}"
            )
        config = self.model_config or {}
        self.n_threads, history_length = space["history"].shape[:2]
        self.horizon = space["time_mask"].shape[1] - 1
        bundle = _bundle(config) or HRLBundle(
            BundleConfig(
                horizon=self.horizon,
                hidden=int(config.get("hidden", 128)),
                d_model=int(config.get("d_model", 64)),
                n_layers=int(config.get("n_layers", 2)),
                history_length=history_length,
            )
        )
        if (bundle.config.horizon, bundle.config.history_length) != (self.horizon, history_length):
            raise ValueError(
                f"the bundle has horizon {bundle.config.horizon} and history "
                f"{bundle.config.history_length}; the env {self.horizon} and {history_length}"
            )
        self.transformer: TemporalDecisionTransformer = bundle.transformer
        self.critic: HorizonManager = bundle.manager
        self.residual_log_std = nn.Parameter(
            torch.full((2,), float(config.get("residual_log_std", -2.0)))
        )
        self.action_dist_cls = thread_action_distribution(self.n_threads, self.horizon)

    def _forward(self, batch: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        obs = batch[Columns.OBS]
        b, k = obs["thread_mask"].shape
        # Only occupied slots go through the transformer (most rounds fill few of the K slots);
        # empty slots keep zero logits: the distribution ignores them (valid = 0).
        valid = obs["thread_mask"].reshape(b * k) > 0.5
        width = slot_width(self.horizon)
        if not bool(valid.any()):  # e.g. a final observation: no thread at all
            return {Columns.ACTION_DIST_INPUTS: obs["thread_mask"].new_zeros(b, k * width)}
        rows = {
            key: obs[key].reshape(b * k, *obs[key].shape[2:])[valid]
            for key in (
                "goal",
                "history",
                "history_valid",
                "proposal_context",
                "answer_context",
                "time_mask",
                "operation_mask",
            )
        }
        out = self.transformer.decide(
            rows["goal"],
            rows["history"],
            rows["history_valid"],
            rows["proposal_context"],
            rows["answer_context"],
            rows["time_mask"],
        )
        operation = masked(out["operation_logits"], rows["operation_mask"])
        delivery = masked(out["time_logits"], rows["time_mask"])
        log_std = self.residual_log_std.expand(len(operation), 2)
        occupied = torch.cat(
            [torch.ones_like(operation[:, :1]), operation, delivery, out["residual"], log_std],
            dim=-1,
        )
        slots = occupied.new_zeros(b * k, occupied.shape[1])
        slots[valid] = occupied
        return {Columns.ACTION_DIST_INPUTS: slots.reshape(b, -1)}

    def compute_values(self, batch: dict[str, Any], embeddings: Any = None) -> torch.Tensor:
        return self.critic(batch[Columns.OBS])[2]


class RoundModule(TorchRLModule, ValueFunctionAPI):
    """The round env's grid form (absolute levels), from scratch."""

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


def write_into_bundle(module: nn.Module, bundle: HRLBundle) -> list[str]:
    """Copy a trained module's policy weights into ``bundle`` (in place); returns the bundle
    parts written (``manager`` for L2, ``transformer`` for L3; an L3 critic is not written)."""
    if isinstance(module, DailyPlannerModule):
        bundle.manager.load_state_dict(module.manager.state_dict())
        return ["manager"]
    if isinstance(module, ThreadPolicyModule):
        bundle.transformer.load_state_dict(module.transformer.state_dict())
        return ["transformer"]
    raise ValueError(f"{type(module).__name__} has no bundle layout")
