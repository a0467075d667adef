"""Conformance of every environment the package ships, found from the registries.

Every gymnasium id registered under ``HRLXF/`` and every PettingZoo factory in
``envs.PARALLEL_ENVS`` gets: gymnasium's and SB3's ``check_env`` (or PettingZoo's
``parallel_api_test`` and ``parallel_seed_test``), a whole-episode determinism check, and a
pickle round trip: the env rebuilt in a fresh process from a pickled copy of its config (as Ray
workers build envs) plays the same trajectory. SCML worlds replay only under one Python hash
seed (negmas iterates over sets of strings): run.sh and the Ray workers set PYTHONHASHSEED; a
test process without one compares two fresh processes that share a hash seed instead. A new env is checked without a new test; small
settings for slow envs go in SMALL.
"""

import importlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import parallel_api_test, parallel_seed_test
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import envs

GYM_IDS = sorted(env_id for env_id in gym.registry if env_id.startswith("HRLXF/"))
MAX_STEPS = 400  # an episode is cut here (trajectories still compared step by step)


def small(name: str, tmp: Path) -> dict:
    """Constructor arguments that keep an env fast (SCML worlds: short, few factories, training
    mode: scml's default mode replays a seed only while no negotiation outlives a wall-clock
    second, which a loaded machine does not promise; ``envs/scml/world_classes.py``)."""
    world = {
        "n_steps": 5,
        "agents_per_process": 2,
        "mode": "training",
        "log_dir": str(tmp / "worlds"),
    }
    return {
        "HRLXF/SCMLDaily-v0": {"world": world, "horizon": 10},
        "HRLXF/SCMLRound-v0": {"world": world, "horizon": 10, "max_threads": 4},
        "scml": {"world": world, "horizon": 10},
        "scml_central_critic": {"world": world, "horizon": 10},
        "trading": {"episode_length": 60},
        "HRLXF/Trading-v0": {"episode_length": 60},
    }.get(name, {})


def make_parallel(name: str, kwargs: dict):
    module, _, function = envs.PARALLEL_ENVS[name].partition(":")
    return getattr(importlib.import_module(module), function)(**kwargs)


def gym_trajectory(env_id: str, kwargs: dict, seed: int) -> list:
    """(observation, reward, terminated, truncated) of one episode with seeded random actions."""
    env = gym.make(env_id, disable_env_checker=True, **kwargs)
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    out = [(obs, 0.0, False, False)]
    for _ in range(MAX_STEPS):
        obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        out.append((obs, float(reward), terminated, truncated))
        if terminated or truncated:
            break
    env.close()
    return out


def parallel_trajectory(name: str, kwargs: dict, seed: int) -> list:
    env = make_parallel(name, kwargs)
    observations, _ = env.reset(seed=seed)
    for k, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(seed + k)
    out = [(observations, {})]
    for _ in range(MAX_STEPS):
        if not env.agents:
            break
        actions = {a: env.action_space(a).sample() for a in env.agents}
        observations, rewards, *_ = env.step(actions)
        out.append((observations, rewards))
    env.close()
    return out


def assert_same(a, b, path="trajectory"):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    else:
        np.testing.assert_array_equal(a, b, err_msg=path)


def replay_in_fresh_process(kind: str, name: str, kwargs: dict, tmp: Path, hash_seed: str) -> list:
    """The trajectory of an env built in a new interpreter from a pickled copy of its config."""
    payload, result = tmp / "config.pkl", tmp / f"trajectory-{hash_seed}.pkl"
    payload.write_bytes(pickle.dumps((kind, name, kwargs)))
    code = (
        "import pickle, sys; from tests.test_env_conformance import gym_trajectory, "
        "parallel_trajectory; kind, name, kwargs = pickle.loads(open(sys.argv[1], 'rb').read()); "
        "play = gym_trajectory if kind == 'gym' else parallel_trajectory; "
        "open(sys.argv[2], 'wb').write(pickle.dumps(play(name, kwargs, 7)))"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code, str(payload), str(result)],
        cwd=root,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return pickle.loads(result.read_bytes())


def assert_replays_elsewhere(kind: str, name: str, kwargs: dict, tmp: Path, here: list) -> None:
    """The trajectory in a fresh process equals ``here`` (same hash seed as this process), or,
    when this process has no fixed hash seed, equals that of a second fresh process."""
    seed = os.environ.get("PYTHONHASHSEED")
    if seed not in (None, "random"):
        assert_same(here, replay_in_fresh_process(kind, name, kwargs, tmp, seed))
    else:
        first = replay_in_fresh_process(kind, name, kwargs, tmp, "0")
        assert_same(first, replay_in_fresh_process(kind, name, kwargs, tmp, "0"))


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_gymnasium_and_sb3_checkers(env_id, tmp_path):
    kwargs = small(env_id, tmp_path)
    check_env(
        gym.make(env_id, disable_env_checker=True, **kwargs).unwrapped, skip_render_check=True
    )
    sb3_check_env(gym.make(env_id, disable_env_checker=True, **kwargs).unwrapped, warn=False)


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_gym_episode_is_deterministic_and_survives_pickling(env_id, tmp_path):
    kwargs = small(env_id, tmp_path)
    first = gym_trajectory(env_id, kwargs, seed=7)
    assert len(first) > 1
    assert_same(first, gym_trajectory(env_id, kwargs, seed=7))
    assert_replays_elsewhere("gym", env_id, kwargs, tmp_path, first)


@pytest.mark.parametrize("name", sorted(envs.PARALLEL_ENVS))
def test_pettingzoo_api_and_seed_tests(name, tmp_path):
    kwargs = small(name, tmp_path)
    parallel_api_test(make_parallel(name, kwargs), num_cycles=20)
    parallel_seed_test(lambda: make_parallel(name, kwargs), num_cycles=20)


@pytest.mark.parametrize("name", sorted(envs.PARALLEL_ENVS))
def test_parallel_episode_is_deterministic_and_survives_pickling(name, tmp_path):
    kwargs = small(name, tmp_path)
    first = parallel_trajectory(name, kwargs, seed=7)
    assert len(first) > 1
    assert_same(first, parallel_trajectory(name, kwargs, seed=7))
    assert_replays_elsewhere("parallel", name, kwargs, tmp_path, first)
