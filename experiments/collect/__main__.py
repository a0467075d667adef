"""Collect expert play: ``python -m experiments.collect`` (Hydra app, config conf/collect.yaml).

``expert`` names one expert or a list (``'expert=[HeuristicStdAgent,PenguinAgent,AS0]'``): with
several, consecutive worlds form groups that share the seed and the level and differ only in
the expert, so the experts' scores are paired (``python -m experiments.collect.expert_table``
reads which expert is best at which level); every shard records its expert and level.

``lengths=[50,200]`` draws each world's length from its seed within the official std range
(the experts of a group, and every DAgger iteration on the dataset, meet the same length);
without it every world has ``world.n_steps`` days.

Resumable: run the same command with ``dataset_dir=<existing dataset>`` and only the worlds
without a shard are played (a larger ``n_worlds`` extends the dataset). Writes metrics.json with
the dataset size and the collection speed (worlds per minute).
"""

from __future__ import annotations

import time
from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig, ListConfig, OmegaConf
from tqdm import tqdm

from envs.scml.world_builder import check_length_range, draw_world_length
from experiments.collect.shards import Manifest, shard_name
from experiments.collect.world_task import collect_world
from experiments.common.ray_runtime import start_ray
from experiments.common.run_context import prepare_run, write_metrics
from experiments.common.seeding import collection_world_seed
from experiments.schemas import register_schemas


def experts_of(cfg: DictConfig) -> list[str]:
    """The configured expert(s) as a list (``expert`` is one name or a list of names)."""
    experts = cfg.expert if isinstance(cfg.expert, ListConfig) else [cfg.expert]
    if not experts or len(set(experts)) < len(experts):
        raise ValueError(f"expert must name one or more distinct agents, got {list(experts)}")
    return [str(e) for e in experts]


def world_plan(cfg: DictConfig, dataset: Path) -> list[dict]:
    """One task description per world: its seed, the experts' level, its shard path. World i
    belongs to group i // E (E experts): a group shares seed and level, expert i % E plays."""
    world = OmegaConf.to_container(cfg.world, resolve=True)
    levels, experts, lengths = list(cfg.levels), experts_of(cfg), world_lengths(cfg)
    plans = []
    for index in range(cfg.n_worlds):
        group = index // len(experts)
        seed = collection_world_seed(cfg.seed, group)
        spec = {
            **world,
            "learner_process": int(levels[group % len(levels)]),
            "log_dir": str(dataset / "worlds"),
        }
        if lengths is not None:
            # Drawn from the group's seed: the experts of a group and every DAgger iteration
            # meet the same world length.
            spec["n_steps"] = draw_world_length(np.random.default_rng(seed), lengths)
        plans.append(
            {
                "world": spec,
                "expert": experts[index % len(experts)],
                "seed": seed,
                "horizon": cfg.horizon,
                "shard": str(dataset / shard_name(index)),
                "threads": cfg.threads,
                "expert_params": expert_params(cfg),
            }
        )
    return plans


def world_lengths(cfg: DictConfig) -> tuple[int, int] | None:
    """``lengths`` as (min, max) world days, or None (every world has ``world.n_steps``)."""
    lengths = cfg.get("lengths")
    if lengths is None:
        return None
    values = list(lengths) if isinstance(lengths, ListConfig) else [lengths]
    if len(values) != 2 or not all(isinstance(v, int) for v in values):
        raise ValueError(f"lengths must be [min, max] world days, got {values}")
    check_length_range("lengths", *values)
    return values[0], values[1]


def expert_params(cfg: DictConfig) -> dict | None:
    """Constructor arguments of the expert (plain values: they travel to Ray workers)."""
    params = cfg.get("expert_params")
    return OmegaConf.to_container(params, resolve=True) if params else None


def identity(cfg: DictConfig) -> dict:
    """What makes two collections the same dataset (n_worlds may grow on resume)."""
    keys = ("expert", "horizon", "levels", "world", "seed")
    plain, lengths = OmegaConf.to_container(cfg, resolve=True), world_lengths(cfg)
    # Optional keys join only when set, so datasets collected before they existed still resume.
    optional = {
        "expert_params": plain["expert_params"] if expert_params(cfg) else None,
        "lengths": list(lengths) if lengths else None,
    }
    return {k: plain[k] for k in keys} | {k: v for k, v in optional.items() if v is not None}


def run(cfg: DictConfig, out: Path | None = None) -> dict:
    out = prepare_run(cfg, out)
    if cfg.n_worlds < 1:
        raise ValueError(f"n_worlds must be >= 1, got {cfg.n_worlds}")
    dataset = Path(cfg.dataset_dir) if cfg.dataset_dir else out / "dataset"
    manifest = Manifest(dataset, identity(cfg))
    todo = [p for p in world_plan(cfg, dataset) if not manifest.done(Path(p["shard"]).name)]
    start = time.perf_counter()
    if todo:
        start_ray(out, cfg.ray.num_cpus, cfg.ray.address)
        import ray

        task = ray.remote(num_cpus=1)(collect_world)
        pending = [task.remote(**plan) for plan in todo]
        with tqdm(
            total=len(todo), desc=f"worlds ({', '.join(experts_of(cfg))})", unit="world"
        ) as bar:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                manifest.add(ray.get(done[0]))
                bar.update(1)
    elapsed = time.perf_counter() - start
    return write_metrics(
        out,
        {
            "dataset": str(dataset),
            **manifest.totals(),
            "collected_now": len(todo),
            "worlds_per_minute": len(todo) / elapsed * 60.0 if todo else None,
        },
    )


register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="collect")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
