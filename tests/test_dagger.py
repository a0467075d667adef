"""DAgger: the teacher's labels on the learner's rounds, the label builders that read them, and
the collect-train loop with its paired table."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from experiments.collect.recorder import LEARNER_PLAY, RECEIVED, TEACHER_LABEL
from experiments.collect.shards import Manifest, read_shard, shard_name
from experiments.collect.world_task import EVENT_COLUMNS, collect_world
from experiments.datasets.expert_data import ExpertData
from experiments.datasets.l2_labels import L2LabelConfig, reconstruct_l2_goals
from experiments.datasets.l3_labels import L3LabelConfig, event_inputs, extract_l3_samples
from policies.l2_goal import GoalCodec

DAGGER = "experiments.collect.dagger.DAggerStdAgent"
HEURISTIC = "baselines.heuristic.executor:HeuristicExecutor"
H = 10


def dagger_world(root, index, level, executor, teacher=HEURISTIC):
    world = {
        "n_steps": 6,
        "agents_per_process": 2,
        "n_learners": 1,
        "learner_process": level,
        "log_dir": str(root / "worlds"),
        "mode": "training",
    }
    params = {"executor": executor, "teacher": teacher, "horizon": H}
    return collect_world(
        world, DAGGER, index, H, str(root / shard_name(index)), expert_params=params
    )


def event_rows(data, source):
    columns = [c for c in EVENT_COLUMNS if c != "source"]
    keep = np.flatnonzero(data["event_source"] == source)
    return sorted(tuple(float(data[f"event_{c}"][i]) for c in columns) for i in keep)


@pytest.mark.parametrize("level", [0, 1])
def test_a_learner_that_is_its_teacher_gets_its_own_play_as_labels(tmp_path, level):
    """The teacher is asked on the learner's exact inputs: if both are the same executor, every
    label row is a row the learner played (same round, offer, answer, bounds), and vice versa."""
    dagger_world(tmp_path, 0, level, HEURISTIC)
    data = read_shard(tmp_path / shard_name(0))
    played, labels = event_rows(data, LEARNER_PLAY), event_rows(data, TEACHER_LABEL)
    assert len(played) > 20
    assert labels == played
    assert json.loads(str(data["meta"]))["teacher"] == HEURISTIC
    # the teacher plans on the learner's dawn: the same executor states the same goal
    assert np.isfinite(data["day_teacher_goal"]).all()
    np.testing.assert_array_equal(data["day_teacher_goal"], data["day_goal"])


def tiny_world(log_dir, **extra) -> dict:
    """A 6-day training-mode world with two factories a level, one of them ours."""
    base = {"n_steps": 6, "agents_per_process": 2, "n_learners": 1, "mode": "training"}
    return {**base, "log_dir": str(log_dir), **extra}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """An expert world (the heuristic's own play) and a DAgger world whose learner (a heuristic
    that plans 30% production and concedes at once) differs from its teacher."""
    root = tmp_path_factory.mktemp("expert")
    manifest = Manifest(root, {"test": "expert"})
    world = tiny_world(root / "worlds", learner_process=1)
    manifest.add(collect_world(world, "HeuristicStdAgent", 1, H, str(root / shard_name(0))))
    dagger_root = tmp_path_factory.mktemp("dagger")
    manifest = Manifest(dagger_root, {"test": "dagger"})
    learner = {
        "_target_": HEURISTIC,
        "params": {
            "production_target": 0.3,
            "concession_exponent": {"first": 0.2, "middle": 0.2, "last": 0.2},
        },
    }
    manifest.add(dagger_world(dagger_root, 0, 1, learner))
    return ExpertData.load([root, dagger_root])


def test_datasets_aggregate_with_worlds_renumbered(mixed):
    assert list(mixed["world_teacher"]) == ["", HEURISTIC]
    assert set(mixed["day_world"]) == {0, 1} and set(mixed["event_world"]) == {0, 1}
    assert list(mixed["expert_world"]) == [0, 1]
    expert_events = mixed["event_world"] == 0
    assert np.all(mixed["event_source"][expert_events] == 0)  # an expert's rows: source 0
    sources = set(mixed["event_source"][~expert_events])
    assert sources == {LEARNER_PLAY, TEACHER_LABEL}


def test_labels_come_from_teacher_rows_and_context_from_played_rows(mixed):
    labels = reconstruct_l2_goals(mixed, L2LabelConfig(horizon=H))
    samples = extract_l3_samples(
        mixed, labels["goal"], labels["encoded"], L3LabelConfig(horizon=H, history_length=4)
    )
    for kind in ("proposal", "answer"):
        sources = mixed["event_source"][samples[f"{kind}_event"]]
        assert LEARNER_PLAY not in sources and TEACHER_LABEL in sources
    answers = samples["answer_event"]
    np.testing.assert_array_equal(samples["answer_operation"], mixed["event_response"][answers])
    # A teacher's answer sees what the learner saw in that round: its played twin (same thread,
    # step and offer) has the same history and context.
    dagger = np.flatnonzero(mixed["event_world"] == 1)
    key = lambda i: tuple(  # noqa: E731
        int(mixed[f"event_{c}"][i]) for c in ("agent", "day", "partner", "step", "kind")
    )
    played = {key(i): i for i in dagger if mixed["event_source"][i] == LEARNER_PLAY}
    taught = [i for i in answers if mixed["event_world"][i] == 1]
    twins = np.array([played[key(i)] for i in taught])
    assert len(twins) > 10 and np.all(mixed["event_kind"][twins] == RECEIVED)
    config = L3LabelConfig(horizon=H, history_length=4)
    _, x_label, _ = event_inputs(mixed, np.array(taught), labels["goal"], labels["encoded"], config)
    _, x_play, _ = event_inputs(mixed, twins, labels["goal"], labels["encoded"], config)
    np.testing.assert_array_equal(x_label.history, x_play.history)
    np.testing.assert_array_equal(x_label.answer_context, x_play.answer_context)
    # and the teacher answers differently from this learner somewhere (else nothing to learn)
    assert np.any(mixed["event_response"][taught] != mixed["event_response"][twins])


def test_learner_days_condition_l3_on_the_learner_goal_and_train_no_l2(mixed):
    labels = reconstruct_l2_goals(mixed, L2LabelConfig(horizon=H))
    learner_days = mixed["day_world"] == 1
    assert np.all(labels["mask"][learner_days] == 0)
    assert np.all(labels["mask"][~learner_days].sum(axis=1) > 0)
    np.testing.assert_allclose(labels["goal"][learner_days], mixed["day_goal"][learner_days])


def test_stated_labels_teach_l2_the_teachers_goal_on_the_learners_days(mixed):
    stated = reconstruct_l2_goals(mixed, L2LabelConfig(horizon=H, source="stated"))
    hindsight = reconstruct_l2_goals(mixed, L2LabelConfig(horizon=H))
    learner_days = mixed["day_world"] == 1
    teacher_goal = mixed["day_teacher_goal"]
    assert np.isfinite(teacher_goal[learner_days]).all()
    assert np.isnan(teacher_goal[~learner_days]).all()  # an expert's own world has no teacher
    assert not np.allclose(teacher_goal[learner_days], mixed["day_goal"][learner_days])
    # every day trains L2: the learner's days on the teacher's goal, the expert's on its own
    np.testing.assert_array_equal(stated["mask"][~learner_days], hindsight["mask"][~learner_days])
    assert np.all(stated["mask"].sum(axis=1) > 0) and np.all(hindsight["mask"][learner_days] == 0)
    codec = GoalCodec(H)
    for r in range(mixed.n_days):
        sides = stated["mask"][r, :4] > 0
        said = teacher_goal[r] if learner_days[r] else mixed["day_goal"][r]
        prices = (mixed["day_price_in"][r], mixed["day_price_out"][r])
        n_lines = float(mixed["day_shield_n_lines"][r])
        expected = codec.encode(said * sides, n_lines, *prices) * stated["mask"][r]
        np.testing.assert_allclose(stated["target"][r], expected, rtol=1e-5, atol=1e-6)
        if not learner_days[r]:  # L3 is conditioned on the goal the expert acted on
            np.testing.assert_allclose(stated["goal"][r], mixed["day_goal"][r] * sides)
    # on the learner's days L3 still sees the learner's own goal
    for key in ("goal", "encoded"):
        np.testing.assert_array_equal(stated[key][learner_days], hindsight[key][learner_days])


def test_a_dataset_without_teacher_goals_loads_with_none_and_trains_no_stated_l2(tmp_path):
    """Shards written before teacher goals were recorded (and experts that state no goal)."""
    root = tmp_path / "old"
    manifest = Manifest(root, {"test": "old"})
    world = tiny_world(tmp_path / "worlds")
    manifest.add(collect_world(world, "HeuristicStdAgent", 2, H, str(root / shard_name(0))))
    path = root / shard_name(0)
    arrays = {k: v for k, v in read_shard(path).items() if k != "day_teacher_goal"}
    arrays["day_goal"] = np.full_like(arrays["day_goal"], np.nan)  # an expert stating nothing
    np.savez(path, **arrays)
    data = ExpertData.load(root)
    assert data["day_teacher_goal"].shape == (data.n_days, 4, 4)
    assert np.isnan(data["day_teacher_goal"]).all()
    stated = reconstruct_l2_goals(data, L2LabelConfig(horizon=H, source="stated"))
    assert np.all(stated["mask"] == 0)
    hindsight = reconstruct_l2_goals(data, L2LabelConfig(horizon=H))
    np.testing.assert_array_equal(stated["goal"], hindsight["goal"])  # L3's input: hindsight


def test_an_unknown_l2_label_source_is_refused():
    with pytest.raises(ValueError, match="L2 label source.*'secured'"):
        L2LabelConfig(source="secured")


TINY_COLLECT = [
    "horizon=10",
    "n_worlds=3",
    "world.n_steps=6",
    "world.agents_per_process=2",
    "world.n_learners=1",
    "ray.num_cpus=1",
]


@pytest.mark.slow
def test_the_loop_trains_on_the_aggregate_and_pairs_every_checkpoint_with_the_teacher(tmp_path):
    def run(*args):
        subprocess.run([sys.executable, "-m", *args], check=True, capture_output=True, timeout=600)

    teacher = tmp_path / "teacher"
    run(
        "experiments.collect",
        "expert=HeuristicStdAgent",
        f"dataset_dir={teacher}",
        f"hydra.run.dir={tmp_path / 'collect'}",
        *TINY_COLLECT,
    )
    run(
        "experiments.train",
        "stage=bc",
        "stage.epochs=1",
        f"dataset={teacher}",
        "horizon=10",
        "history_length=8",
        "network.hidden=32",
        "network.d_model=16",
        "network.n_layers=1",
        f"hydra.run.dir={tmp_path / 'bc'}",
    )
    out = tmp_path / "dagger"

    def run_dagger(iterations):
        run(
            "experiments.dagger",
            f"dataset={teacher}",
            f"init_from={tmp_path / 'bc' / 'checkpoint'}",
            f"iterations={iterations}",
            "bc.epochs=1",
            "train.history_length=8",
            f"hydra.run.dir={out}",
            *[f"collect.{o}" for o in TINY_COLLECT],
        )

    run_dagger(1)
    summary = json.loads((out / "summary.json").read_text())
    assert [it["iteration"] for it in summary["iterations"]] == [0, 1]
    rows = summary["table"]["rows"]
    assert {r["level"] for r in rows} == {0, 1, 2}
    for level in (0, 1, 2):
        agents = {r["expert"]: r for r in rows if r["level"] == level}
        assert set(agents) == {
            "HeuristicStdAgent",
            "learner after 0 DAgger iteration(s)",
            "learner after 1 DAgger iteration(s)",
        }
        assert all(r["paired_worlds"] == 1 for r in agents.values())  # the teacher's worlds
    trained = out / "iter_0" / "train"
    assert json.loads((trained / "metrics.json").read_text())["train_worlds"] >= 3
    before = torch.load(tmp_path / "bc" / "checkpoint" / "weights.pt")
    after = torch.load(trained / "checkpoint" / "weights.pt")
    assert any(not torch.equal(before[k], after[k]) for k in before)
    shard = read_shard(out / "iter_1" / "dataset" / shard_name(0))
    assert set(shard["event_source"]) == {LEARNER_PLAY, TEACHER_LABEL}
    assert (out / "dagger_table.md").read_text().count("DAgger iteration") == 6
    for k, step in enumerate(summary["iterations"]):  # where each checkpoint left its teacher
        sides = {(r["level"], r["side"]) for r in step["disagreement"]["rows"]}
        assert {(0, "sell"), (1, "buy"), (1, "sell"), (2, "buy")} <= sides
        assert (out / f"iter_{k}" / "dataset" / "disagreement.md").exists()

    # The same command with one more iteration continues: iteration 0 is neither replayed
    # nor retrained, iteration 1 trains on all three datasets.
    kept = {
        p: p.stat().st_mtime_ns for p in [*trained.rglob("*"), *(out / "iter_1").rglob("*.npz")]
    }
    run_dagger(2)
    assert {p: p.stat().st_mtime_ns for p in kept} == kept
    summary = json.loads((out / "summary.json").read_text())
    assert [it["iteration"] for it in summary["iterations"]] == [0, 1, 2]
    section = json.loads((out / "iter_1" / "train" / "dagger_trained.json").read_text())
    assert len(section["dataset"]) == 3 and section["stage"]["init_from"] == str(
        trained / "checkpoint"
    )


@pytest.mark.parametrize("source", ["hindsight", "stated"])
def test_l3_trains_on_the_goal_its_context_features_came_from(mixed, source):
    """Through sample building into the tensors training reads: every L3 row's goal prefix is
    the goal its context features were computed from, on the expert's days and the learner's,
    in both label modes; on a learner's day it is the learner's own goal (with stated labels L2
    still learns the teacher's goal there)."""
    from experiments.train.samples import OfflineSamples
    from experiments.train.stages import with_goals

    samples = OfflineSamples.build(mixed, H, 4, 0.5, 0, 0.99, True, l2_labels=source)
    labels = reconstruct_l2_goals(mixed, L2LabelConfig(horizon=H, source=source))
    l3 = extract_l3_samples(
        mixed, labels["goal"], labels["encoded"], L3LabelConfig(horizon=H, history_length=4)
    )
    np.testing.assert_array_equal(samples.answers["context"].numpy(), l3["answer_context"])
    np.testing.assert_array_equal(samples.proposals["context"].numpy(), l3["proposal_context"])
    # on the learner's days: the learner's own goal (hindsight labels encode its day_goal there)
    own = reconstruct_l2_goals(mixed, L2LabelConfig(horizon=H))["encoded"]
    learner_rows = 0
    for table in (samples.proposals, samples.answers):
        rows = table["day_row"].numpy()
        prefix = with_goals(table, samples.l2)["goal"].numpy()
        np.testing.assert_allclose(prefix, labels["encoded"][rows], rtol=1e-6)
        learner = mixed["day_world"][rows] == 1
        np.testing.assert_allclose(prefix[learner], own[rows[learner]], rtol=1e-6)
        learner_rows += int(learner.sum())
    assert learner_rows > 10
    if source == "stated":  # L2's label on the learner's days is the teacher's, not the prefix
        learner_days = mixed["day_world"] == 1
        assert not np.allclose(
            samples.l2["target"].numpy()[learner_days], samples.l2["l3_goal"].numpy()[learner_days]
        )
