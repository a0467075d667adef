"""Shared fixtures. Tests write only under pytest's tmp_path, never into $HOME."""

import os
import tempfile

import pytest

# Libraries that cache under $HOME (matplotlib) get a throwaway folder when run outside run.sh.
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="hrlxf-mpl-"))

# Under pytest-xdist each worker gets its own Ray temp folder: ray.init() without an address
# joins the latest cluster it finds there, and one worker's test cluster (test_ppo_ray_cluster)
# must not capture another worker's runs.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _ray_root = os.environ.get(
        "RAY_TMPDIR", os.path.join(tempfile.gettempdir(), f"hrlxf-ray-{os.getuid()}")
    )
    os.environ["RAY_TMPDIR"] = f"{_ray_root}-{_worker}"
    os.makedirs(os.environ["RAY_TMPDIR"], exist_ok=True)


@pytest.fixture(scope="module")
def expert_dataset(tmp_path_factory):
    """A tiny collected dataset: PenguinAgent in four 6-day worlds at levels 0, 1, 2, 1 (H=10)."""
    from experiments.collect.shards import Manifest, shard_name
    from experiments.collect.world_task import collect_world

    root = tmp_path_factory.mktemp("dataset")
    manifest = Manifest(root, {"test": True})
    for index, level in enumerate((0, 1, 2, 1)):
        world = {
            "n_steps": 6,
            "agents_per_process": 2,
            "n_learners": 1,
            "learner_process": level,
            "log_dir": str(root / "worlds"),
        }
        manifest.add(collect_world(world, "PenguinAgent", index, 10, str(root / shard_name(index))))
    return root


@pytest.fixture
def small_world(tmp_path) -> dict:
    """A short, small SCML world whose negmas logs stay inside tmp_path; training mode, so a seed
    replays exactly however loaded the machine is."""
    return {
        "n_steps": 5,
        "agents_per_process": 2,
        "mode": "training",
        "log_dir": str(tmp_path / "worlds"),
    }


def _home_entries() -> set[str]:
    home = os.path.expanduser("~")
    entries = set()
    for folder in (home, os.path.join(home, ".cache"), os.path.join(home, ".config")):
        if os.path.isdir(folder):
            entries |= {os.path.join(folder, name) for name in os.listdir(folder)}
    return entries


@pytest.fixture(scope="session", autouse=True)
def nothing_written_to_home():
    """The whole test session must leave no new files or folders in $HOME (or its caches)."""
    before = _home_entries()
    yield
    created = sorted(_home_entries() - before)
    assert not created, f"tests wrote into the home directory: {created}"
