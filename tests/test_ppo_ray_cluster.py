"""The PPO stage on a local two-node Ray cluster (head + one worker), so the cluster path cannot
rot: the env runner needs a resource only the worker node offers, so it must run there."""

import json
import subprocess
import sys

import pytest
import torch

from policies.hrl.bundle import BundleConfig, HRLBundle

DRIVER = """
import subprocess, sys
from ray.cluster_utils import Cluster

cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
cluster.add_node(num_cpus=1, resources={"hrlxf_worker": 1})
cluster.wait_for_nodes(timeout=300)  # the default 30 s is short on a loaded 2-core machine
try:
    result = subprocess.run(
        [sys.executable, "-m", "experiments.online", *sys.argv[1:], f"ray.address={cluster.address}"],
        capture_output=True, text=True, timeout=500,
    )
    sys.stderr.write(result.stderr[-4000:])
    sys.exit(result.returncode)
finally:
    cluster.shutdown()
"""


@pytest.mark.slow
def test_ppo_stage_runs_its_env_runner_on_the_worker_node(tmp_path):
    torch.manual_seed(0)
    config = BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8)
    HRLBundle(config).save(tmp_path / "awr", extra={"stage": "awr"})
    run = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            DRIVER,
            f"hydra.run.dir={run}",
            f"stage.init_from={tmp_path / 'awr'}",
            "horizon=10",
            "stage.env_steps=30",
            "stage.train_batch_size=30",
            "stage.minibatch_size=15",
            "stage.num_epochs=1",
            "stage.eval_episodes=0",
            "stage.num_env_runners=1",
            "+stage.runner_resources.hrlxf_worker=1",
            "world.n_steps=6",
            "world.n_processes=2",
            "world.agents_per_process=2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["env_steps"] >= 30
    assert (run / "checkpoint" / "weights.pt").is_file()
