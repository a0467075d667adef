"""Every seed an entry point derives, in one place.

One ``seed`` in a config seeds python, numpy and torch (:func:`experiments.common.run_context.
seed_everything`) and every derived seed below; runs with the same seed replay (on one machine,
under one ``PYTHONHASHSEED``). Derived seeds are spaced so that two uses never meet for seeds
and indices of the sizes configs use. Fixed on purpose, independent of ``cfg.seed``:

- :func:`chain_eval_seeds`: the curriculum's ``eval/tournament_score`` worlds, the same for every
  run so that runs of different seeds are compared in the same worlds;
- :func:`check_world_seed`: the export check's worlds;
- the balanced evaluation's configurations (``experiments.tournament.balanced``): a
  configuration is ``np.random.default_rng([spec.seed, config])``, the same world in every run of
  the same settings, so an evaluation grows by more configurations.

``tests/test_seeding.py`` pins the values: changing one changes which worlds every report used.
"""

from __future__ import annotations

EVAL_ENV_OFFSET = 10_000  # evaluation environments never replay a training episode's seed
CHAIN_EVAL_BASE = 90_000


def collection_world_seed(seed: int, group: int) -> int:
    """The world of collection group ``group`` (experts of one group play the same world)."""
    return seed * 100_003 + group


def online_eval_seeds(seed: int, episodes: int) -> list[int]:
    """The seeded worlds an online stage scores its policy in."""
    return [seed * 1_000 + 500 + i for i in range(episodes)]


def phase_seed(seed: int, phase: int) -> int:
    """The algorithm seed of online training phase ``phase`` (a level of the alternate mode)."""
    return seed + phase


def eval_env_seed(seed: int) -> int:
    """The first seed of a training run's separate evaluation environment."""
    return seed + EVAL_ENV_OFFSET


def shard_seed(seed: int, shard: int) -> int:
    """The seed of tournament shard ``shard`` (one world configuration per process)."""
    return seed + 1_000 * shard


def worker_seed(seed: int, worker: int, study: int = 0) -> int:
    """The sampler seed of sweep worker ``worker`` in the ``study``-th of the studies sharing
    its rounds: workers sharing a study, and studies sharing a round, draw differently."""
    return seed + 1_000 * worker + 100_000 * study


def split_seed(seed: int, split: int) -> int:
    """The training seed of walk-forward split ``split`` for training seed ``seed``."""
    return 1_000 * seed + split


def probe_world_seed(seed: int, world: int) -> int:
    """World ``world`` of an expert-consistency probe."""
    return seed + world


def chain_eval_seeds(worlds: int) -> list[int]:
    """The curriculum's fixed scoring worlds (the same for every run)."""
    return [CHAIN_EVAL_BASE + i for i in range(worlds)]


def check_world_seed(level: int, world: int) -> int:
    """World ``world`` at ``level`` of the export check (fixed)."""
    return 1_000 * level + world
