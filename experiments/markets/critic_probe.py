"""What the critics of a MADDPG comparison know about the other agents.

    python -m experiments.markets.critic_probe compare_dir=<a compare_maddpg run> [episodes=10]

For every trained run of the comparison (MADDPG and independent DDPG checkpoints) the greedy
team plays ``episodes`` seeded episodes. At every step and for every agent i it records:

- the critic's value Q_i(x, a) (in reward units) and the discounted return the agent then
  really gets: the **critic error**;
- for every other agent j and every other action of j (discrete: each other choice; continuous:
  -1, 0 and +1), how far Q_i moves when only a_j changes (**critic moves**), and how far agent
  i's real discounted return moves when only a_j changes and everyone then plays on greedily
  (**return moves**, measured by replaying a copy of the env). An independent critic cannot see
  a_j, so its move is 0 by construction: the return move is what it has to average over.

Writes probe.json and probe.md (means over steps, agents and runs, with a 95% t interval over
the runs' seeds) to its run directory.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from experiments.common.run_context import prepare_run, write_atomic, write_metrics
from experiments.common.tensorboard_curves import t_interval
from experiments.markets.marl_tasks import env_factory
from experiments.markets.train_maddpg import maddpg_config
from experiments.schemas import register_schemas
from policies.maddpg import MADDPG
from policies.maddpg.actor import to_env_action

PROBE_SEED = 50_000  # the probe's episodes: disjoint from training and evaluation seeds


def alternatives(space: gym.Space, action: np.ndarray) -> list[np.ndarray]:
    """The other actions of one agent, in critic space."""
    if isinstance(space, gym.spaces.Discrete):
        chosen = int(np.argmax(action))
        return [np.eye(space.n, dtype=np.float32)[k] for k in range(space.n) if k != chosen]
    return [np.full_like(action, v) for v in (-1.0, 0.0, 1.0) if not np.allclose(action, v)]


def env_step_actions(trainer: MADDPG, actions: list[np.ndarray]) -> dict:
    """Critic-space actions, one per agent, as the env's action dict."""
    return {
        a: to_env_action(space, act)
        for a, space, act in zip(trainer.agents, trainer.action_spaces, actions, strict=True)
    }


def greedy_return(env, trainer: MADDPG, first: list[np.ndarray], gamma: float) -> np.ndarray:
    """Every agent's discounted return from this state: ``first`` (critic-space actions) now,
    then the greedy team to the end. ``env`` is stepped (pass a copy)."""
    total, discount, actions = np.zeros(trainer.n_agents), 1.0, first
    while env.agents:
        obs, rewards, *_ = env.step(env_step_actions(trainer, actions))
        total += discount * np.array([rewards[a] for a in trainer.agents])
        discount *= gamma
        if env.agents:
            actions = [a[0] for a in trainer.act([obs[a][None] for a in trainer.agents], False)]
    return total


def critic_values(trainer: MADDPG, obs: list[torch.Tensor], joint: list[np.ndarray]) -> np.ndarray:
    """Every agent's critic value of the joint action (critic space), in reward units."""
    actions = [torch.as_tensor(a[None], dtype=torch.float32) for a in joint]
    with torch.no_grad():
        values = [
            trainer.critics[i](trainer.critic_input(i, obs, actions)).item()
            for i in range(trainer.n_agents)
        ]
    return np.array(values) / trainer.config.reward_scale


def probe_run(trainer: MADDPG, make_env, episodes: int) -> dict[str, float]:
    """Critic error and moves of one trained team (means over steps and agents)."""
    c = trainer.config
    errors, critic_moves, return_moves, final_errors = [], [], [], []
    for episode in range(episodes):
        env = make_env()
        obs, _ = env.reset(seed=PROBE_SEED + episode)
        episode_errors = []
        while env.agents:
            per_agent = [obs[a][None] for a in trainer.agents]
            actions = [a[0] for a in trainer.act(per_agent, explore=False)]
            x = [torch.as_tensor(o, dtype=torch.float32) for o in per_agent]

            q = critic_values(trainer, x, actions)
            realized = greedy_return(copy.deepcopy(env), trainer, actions, c.gamma)
            episode_errors.append(np.abs(q - realized))
            for j, space in enumerate(trainer.action_spaces):
                for other in alternatives(space, actions[j]):
                    joint = [other if k == j else a for k, a in enumerate(actions)]
                    moved = greedy_return(copy.deepcopy(env), trainer, joint, c.gamma)
                    mask = np.arange(trainer.n_agents) != j  # agent j's own action is not "other"
                    critic_moves.append(np.abs(critic_values(trainer, x, joint) - q)[mask])
                    return_moves.append(np.abs(moved - realized)[mask])
            obs, *_ = env.step(env_step_actions(trainer, actions))
        errors += episode_errors
        final_errors.append(episode_errors[-1])  # the last step: nothing left to bootstrap
    return {
        "critic_error": float(np.mean(np.concatenate(errors))),
        "critic_error_last_step": float(np.mean(np.concatenate(final_errors))),
        "critic_moves": float(np.mean(np.concatenate(critic_moves))),
        "return_moves": float(np.mean(np.concatenate(return_moves))),
    }


def load_trainer(compare_cfg: DictConfig, run: dict[str, Any], make_env) -> MADDPG:
    config = maddpg_config(OmegaConf.to_container(compare_cfg.maddpg, resolve=True), run["method"])
    env = make_env()
    agents = list(env.possible_agents)
    trainer = MADDPG(
        agents,
        [env.observation_space(a) for a in agents],
        [env.action_space(a) for a in agents],
        config,
    )
    trainer.load(Path(run["checkpoint"]))
    return trainer


def markdown(rows: list[dict[str, Any]], task: str, episodes: int) -> str:
    lines = [
        f"# {task}: what the critics know ({episodes} greedy episodes per run)",
        "",
        "Critic error: |Q_i(x, a) - the discounted return agent i then gets|. Critic moves: |change",
        "of Q_i when one other agent's action changes|; return moves: |change of agent i's real",
        "return| for the same change (the env replayed from a copy). Reward units, means over",
        "steps and agents; [95% t interval over seeds].",
        "",
        "| method | critic error | critic error, last step | critic moves | return moves | seeds |",
        "|---|---|---|---|---|---:|",
    ]

    def cell(values: list[float]) -> str:
        band = t_interval(np.array(values))
        if band["low"] is None:
            return f"{band['mean']:.4g}"
        return f"{band['mean']:.4g} [{band['low']:.4g}, {band['high']:.4g}]"

    for method in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        keys = ("critic_error", "critic_error_last_step", "critic_moves", "return_moves")
        cells = " | ".join(cell([r[k] for r in mine]) for k in keys)
        lines.append(f"| {method} | {cells} | {len(mine)} |")
    return "\n".join(lines) + "\n"


def run(cfg: DictConfig) -> dict[str, Any]:
    compare_dir = Path(cfg.compare_dir)
    runs_file, config_file = compare_dir / "runs.json", compare_dir / "config.yaml"
    if not (runs_file.is_file() and config_file.is_file()):
        raise FileNotFoundError(
            f"compare_dir {compare_dir} is not a compare_maddpg run: needs runs.json and config.yaml"
        )
    if cfg.episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {cfg.episodes}")
    out = prepare_run(cfg)
    torch.set_num_threads(cfg.threads)
    compare_cfg = OmegaConf.load(config_file)
    make_env = env_factory(compare_cfg.marl_task)
    rows = []
    for entry in json.loads(runs_file.read_text()):
        if not entry.get("checkpoint"):
            continue  # random policy and desk schedules: no critic
        trainer = load_trainer(compare_cfg, entry, make_env)
        stats = probe_run(trainer, make_env, cfg.episodes)
        rows.append({"method": entry["method"], "seed": entry["seed"], **stats})
        print(rows[-1])
    if not rows:
        raise ValueError(f"{compare_dir}/runs.json holds no trained run with a checkpoint")
    write_atomic(out / "probe.json", json.dumps(rows, indent=2))
    write_atomic(out / "probe.md", markdown(rows, compare_cfg.marl_task.name, cfg.episodes))
    return write_metrics(out, {"compare_dir": str(compare_dir), "runs": rows})


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="critic_probe")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
