"""One decision pipeline: the learned agent's network inputs, computed online while it plays a
world under the recorder, equal the inputs rebuilt offline from the recorded shard."""

import numpy as np
import pytest
import torch

from experiments.collect.recorder import PROPOSED, RECEIVED
from experiments.collect.shards import read_shard
from experiments.collect.world_task import collect_world
from experiments.datasets.expert_data import ExpertData
from experiments.datasets.l3_labels import L3LabelConfig, event_inputs
from policies.decision.agent import ExecutorStdAgent
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.executor import LearnedExecutor
from policies.l2_goal import GoalCodec

H, L = 10, 8


class LoggingAgent(ExecutorStdAgent):
    """Keeps (day, partners, steps) of every round it snapshots (the executor keeps the inputs)."""

    rounds: list = []
    executors: list = []  # the world hands agents copies of their parameters

    def init(self):
        super().init()
        LoggingAgent.executors.append(self.executor)

    def thread_snapshot(self, partners, offers, states):
        snapshot, steps = super().thread_snapshot(partners, offers, states)
        LoggingAgent.rounds.append((self.awi.current_step, list(partners), list(steps)))
        return snapshot, steps


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A learned agent (random weights) at the middle level, recorded, plus its online inputs."""
    root = tmp_path_factory.mktemp("parity")
    torch.manual_seed(0)
    bundle = HRLBundle(BundleConfig(horizon=H, hidden=32, d_model=16, n_layers=1, history_length=L))
    with torch.no_grad():  # lean to counter-offers, so that many proposals are made and recorded
        bundle.transformer.operation_head[-1].bias.copy_(torch.tensor([0.0, 4.0, 0.0]))
    executor = LearnedExecutor(bundle, record=True)
    LoggingAgent.rounds, LoggingAgent.executors = [], []
    world = {
        "n_steps": 12,
        "agents_per_process": 3,
        "learner_process": 1,
        "opponents": ["GreedyStdAgent", "SyncRandomStdAgent"],
        "log_dir": str(root / "worlds"),
    }
    shard = root / "data" / "world_00000.npz"
    shard.parent.mkdir()
    params = {"executor": executor, "horizon": H, "history_length": L}
    collect_world(world, LoggingAgent, seed=5, horizon=H, shard=str(shard), expert_params=params)
    # One shard, read the way the training pipeline reads a dataset.
    from experiments.collect.shards import Manifest

    manifest = Manifest(shard.parent, {"test": True})
    manifest.save()
    data = ExpertData.load(shard.parent)
    partners = list(read_shard(shard)["partner_ids"])
    online = {}
    (played_executor,) = LoggingAgent.executors
    logged = played_executor.inputs_log
    for (day, names, steps), inputs in zip(LoggingAgent.rounds, logged, strict=True):
        for i, (partner, step) in enumerate(zip(names, steps, strict=True)):
            online[(day, partner, step)] = (i, inputs)
    return data, partners, online


def offline(data, kind):
    goals = data["day_goal"]
    codec = GoalCodec(H)
    encoded = np.stack(
        [
            codec.encode(g, n, pi, po)
            for g, n, pi, po in zip(
                goals,
                data["day_shield_n_lines"],
                data["day_price_in"],
                data["day_price_out"],
                strict=True,
            )
        ]
    )
    events = np.flatnonzero(data["event_kind"] == kind)
    _, inputs, _ = event_inputs(data, events, goals, encoded, L3LabelConfig(H, L))
    return events, inputs


def matched(data, partners, online, kind):
    events, inputs = offline(data, kind)
    pairs = []
    for row, e in enumerate(events):
        key = (
            int(data["event_day"][e]),
            partners[data["event_partner"][e]],
            int(data["event_step"][e]),
        )
        assert key in online, f"recorded event {key} has no online decision"
        pairs.append((row, *online[key]))
    assert len(pairs) > 20
    return inputs, pairs


@pytest.mark.parametrize("kind", [RECEIVED, PROPOSED])
def test_offline_inputs_equal_what_the_agent_computed(played, kind):
    data, partners, online = played
    assert np.isfinite(data["day_goal"]).all()  # the agent's own goals were recorded
    inputs, pairs = matched(data, partners, online, kind)
    fields = (
        [
            "goal",
            "history",
            "history_valid",
            "answer_context",
            "coordinator_rows",
            "coordinator_delta",
        ]
        if kind == RECEIVED
        else ["goal", "history", "history_valid", "proposal_context", "time_mask"]
    )
    for name in fields:
        rebuilt = np.stack([getattr(inputs, name)[row] for row, _, _ in pairs])
        live = np.stack([getattr(x, name)[i] for _, i, x in pairs])
        np.testing.assert_allclose(rebuilt, live, rtol=1e-5, atol=1e-6, err_msg=name)
    if kind == PROPOSED:
        rebuilt = np.stack([inputs.baseline.quantity[row] for row, _, _ in pairs])
        live = np.stack([x.baseline.quantity[i] for _, i, x in pairs])
        np.testing.assert_allclose(rebuilt, live, err_msg="baseline quantity")
