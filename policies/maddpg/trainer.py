"""MADDPG learner: centralized critics Q_i(x, a_1..a_N), decentralized actors mu_i(o_i).

Why a compact torch trainer and not an RLlib Learner: RLlib 2.60's learner API updates each
module on its own module batch, and its multi-agent episode replay samples agents independently.
MADDPG's critic update for agent i needs, in one time-aligned batch, every agent's observation,
stored action and *target actor* output, i.e. a loss that crosses module boundaries and a replay
that samples joint rows. Both are here in ~150 lines; the actors stay RLlib RLModules
(``multi_rl_module()``), so trained teams plug into RLlib for serving and evaluation.
"""

from __future__ import annotations

import copy
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from ray.rllib.core.rl_module.multi_rl_module import MultiRLModule
from torch import nn

from policies.maddpg.actor import MADDPGActor, action_dim, env_actions, mlp, random_actions
from policies.maddpg.config import MADDPGConfig


def soft_update(target: nn.Module, source: nn.Module, tau: float) -> None:
    with torch.no_grad():
        for t, s in zip(target.parameters(), source.parameters(), strict=True):
            t.lerp_(s, tau)


class MADDPG:
    """N actors and N critics; ``config.centralized=False`` is independent DDPG.

    Args:
        agents: agent ids, in the order of every per-agent list below.
        observation_spaces / action_spaces: one per agent.
    """

    def __init__(
        self,
        agents: list[str],
        observation_spaces: list[gym.Space],
        action_spaces: list[gym.Space],
        config: MADDPGConfig,
        seed: int = 0,
    ) -> None:
        if not (len(agents) == len(observation_spaces) == len(action_spaces) > 0):
            raise ValueError(
                "agents, observation_spaces and action_spaces need one entry per agent"
            )
        torch.manual_seed(seed)
        self.agents, self.config = list(agents), config
        self.actors = [
            MADDPGActor(
                observation_space=o,
                action_space=a,
                model_config={"hidden_sizes": list(config.hidden_sizes)},
            )
            for o, a in zip(observation_spaces, action_spaces, strict=True)
        ]
        self.obs_dims = [int(o.shape[0]) for o in observation_spaces]
        self.action_dims = [action_dim(a) for a in action_spaces]
        self.critics = [
            mlp(self.critic_input_dim(i), config.hidden_sizes, 1) for i in range(self.n_agents)
        ]
        self.target_actors = [copy.deepcopy(a) for a in self.actors]
        self.target_critics = [copy.deepcopy(c) for c in self.critics]
        self.actor_optims = [
            torch.optim.Adam(a.parameters(), lr=config.actor_lr) for a in self.actors
        ]
        self.critic_optims = [
            torch.optim.Adam(c.parameters(), lr=config.critic_lr) for c in self.critics
        ]
        self.n_updates = 0

    @property
    def n_agents(self) -> int:
        return len(self.agents)

    def critic_input_dim(self, i: int) -> int:
        if self.config.centralized:
            return sum(self.obs_dims) + sum(self.action_dims)
        return self.obs_dims[i] + self.action_dims[i]

    def critic_input(
        self, i: int, obs: list[torch.Tensor], actions: list[torch.Tensor]
    ) -> torch.Tensor:
        if self.config.centralized:
            return torch.cat([*obs, *actions], dim=-1)
        return torch.cat([obs[i], actions[i]], dim=-1)

    # --- acting ------------------------------------------------------------------------------
    def act(self, obs: list[np.ndarray], explore: bool) -> list[np.ndarray]:
        """Critic-space actions (E, dim_i) per agent for observations (E, obs_i) per agent."""
        c = self.config
        out = []
        for actor, o in zip(self.actors, obs, strict=True):
            t = torch.as_tensor(o, dtype=torch.float32)
            a = (
                actor.explore_action(t, c.gumbel_temperature, c.exploration_noise)
                if explore
                else actor.greedy_action(t)
            )
            out.append(a.numpy())
        return out

    @property
    def action_spaces(self) -> list[gym.Space]:
        return [actor.action_space for actor in self.actors]

    def to_env_actions(self, actions: list[np.ndarray]) -> list[list]:
        return env_actions(self.action_spaces, actions)

    def random_actions(self, n_envs: int, rng: np.random.Generator) -> list[np.ndarray]:
        """Uniform actions in critic space, for warm-up."""
        return random_actions(self.action_spaces, n_envs, rng)

    # --- learning ----------------------------------------------------------------------------
    def target_actions(self, next_obs: list[torch.Tensor]) -> list[torch.Tensor]:
        c = self.config
        out = []
        for actor, o in zip(self.target_actors, next_obs, strict=True):
            a = actor.greedy_action(o)
            if not actor.discrete and c.target_noise > 0:  # TD3 target smoothing
                noise = (c.target_noise * torch.randn_like(a)).clamp(
                    -c.target_noise_clip, c.target_noise_clip
                )
                a = (a + noise).clamp(-1.0, 1.0)
            out.append(a)
        return out

    def update(self, batch: dict[str, object]) -> dict[str, float]:
        """One critic step per agent, and every ``policy_delay`` steps one actor step per agent
        followed by soft target updates. Returns mean losses."""
        c = self.config
        obs = [torch.as_tensor(o) for o in batch["obs"]]
        next_obs = [torch.as_tensor(o) for o in batch["next_obs"]]
        actions = [torch.as_tensor(a) for a in batch["actions"]]
        rewards = torch.as_tensor(batch["rewards"]) * c.reward_scale
        not_done = 1.0 - torch.as_tensor(batch["terminated"])
        with torch.no_grad():
            next_actions = self.target_actions(next_obs)
        critic_losses, actor_losses = [], []
        for i in range(self.n_agents):
            with torch.no_grad():
                next_q = self.target_critics[i](
                    self.critic_input(i, next_obs, next_actions)
                ).squeeze(-1)
                target = rewards[:, i] + c.gamma * not_done * next_q
            q = self.critics[i](self.critic_input(i, obs, actions)).squeeze(-1)
            loss = F.mse_loss(q, target)
            self.critic_optims[i].zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(self.critics[i].parameters(), c.grad_clip)
            self.critic_optims[i].step()
            critic_losses.append(loss.item())
        self.n_updates += 1
        if self.n_updates % c.policy_delay == 0:
            for i in range(self.n_agents):
                own, raw = self.actors[i].policy_action(obs[i], c.gumbel_temperature)
                joint = [
                    own if j == i else a for j, a in enumerate(actions)
                ]  # others: what they did
                loss = -self.critics[i](self.critic_input(i, obs, joint)).mean()
                loss = loss + c.actor_regularization * raw.pow(2).mean()
                self.actor_optims[i].zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.actors[i].parameters(), c.grad_clip)
                self.actor_optims[i].step()
                actor_losses.append(loss.item())
            for pairs in (
                zip(self.target_actors, self.actors, strict=True),
                zip(self.target_critics, self.critics, strict=True),
            ):
                for target_net, net in pairs:
                    soft_update(target_net, net, c.tau)
        stats = {"critic_loss": float(np.mean(critic_losses))}
        if actor_losses:
            stats["actor_loss"] = float(np.mean(actor_losses))
        return stats

    # --- RLlib and checkpoints -----------------------------------------------------------------
    def multi_rl_module(self) -> MultiRLModule:
        """The actors as one RLlib MultiRLModule keyed by agent id (weights shared, not copied)."""
        team = MultiRLModule()
        for agent, actor in zip(self.agents, self.actors, strict=True):
            team.add_module(agent, actor)
        return team

    def state_dict(self) -> dict[str, object]:
        return {
            "agents": self.agents,
            "actors": [a.state_dict() for a in self.actors],
            "critics": [c.state_dict() for c in self.critics],
            "target_actors": [a.state_dict() for a in self.target_actors],
            "target_critics": [c.state_dict() for c in self.target_critics],
            "n_updates": self.n_updates,
        }

    def save(self, path: Path) -> None:
        """Write a checkpoint atomically (a temporary file renamed into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        torch.save(self.state_dict(), tmp)
        tmp.replace(path)

    def load(self, path: Path) -> None:
        state = torch.load(Path(path), weights_only=False)
        if state.get("agents") != self.agents:
            raise ValueError(
                f"checkpoint {path} is for agents {state.get('agents')}, not {self.agents}"
            )
        for key in ("actors", "critics", "target_actors", "target_critics"):
            for net, weights in zip(getattr(self, key), state[key], strict=True):
                net.load_state_dict(weights)
        self.n_updates = int(state["n_updates"])
