"""Expert data collection: what the recorder logs, shards, manifest and resuming."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from envs.scml.world_builder import WorldConfig
from experiments.collect.shards import Manifest, read_shard
from experiments.collect.world_task import collect_world
from experiments.schemas import register_schemas
from policies.shield.state import DAILY_FIELDS, SCALAR_FIELDS, ShieldState

CONF = Path(__file__).resolve().parents[1] / "conf"


@pytest.fixture(scope="module")
def shard(tmp_path_factory):
    root = tmp_path_factory.mktemp("collect")
    world = {
        "n_steps": 8,
        "agents_per_process": 3,
        "n_learners": 2,
        "learner_process": 1,
        "log_dir": str(root / "worlds"),
    }
    summary = collect_world(
        world, "PenguinAgent", seed=3, horizon=10, shard=str(root / "world_00000.npz")
    )
    return summary, read_shard(root / "world_00000.npz")


def test_one_day_row_per_expert_per_day_with_observations_and_shield_state(shard):
    summary, data = shard
    assert summary["days"] == 2 * 8 and summary["experts"] == 2
    assert sorted(zip(data["day_agent"], data["day_day"], strict=True)) == [
        (a, d) for a in (0, 1) for d in range(8)
    ]
    assert data["day_X_temporal"].shape == (16, 11, 10) and data["day_x_static"].shape == (16, 12)
    assert np.all(data["day_level"] == 1) and np.all(data["day_x_role"] == 1.0)  # middle level
    state = ShieldState(
        **{name: data[f"day_shield_{name}"] for name in (*SCALAR_FIELDS, *DAILY_FIELDS)}
    )
    assert state.batch_size == 16 and state.horizon == 10
    np.testing.assert_array_equal(state.current_step, data["day_day"])


def test_every_deal_was_an_offer_the_expert_made_or_accepted(shard):
    _, data = shard
    assert len(data["deal_signed_day"]) > 0
    for k in range(len(data["deal_signed_day"])):
        same = (
            (data["event_agent"] == data["deal_agent"][k])
            & (data["event_day"] == data["deal_signed_day"][k])
            & (data["event_partner"] == data["deal_partner"][k])
            & (data["event_quantity"] == data["deal_quantity"][k])
            & (data["event_delivery_day"] == data["deal_delivery_day"][k])
            & np.isclose(data["event_unit_price"], data["deal_unit_price"][k])
        )
        proposed = same & (data["event_kind"] == 0)
        accepted = same & (data["event_kind"] == 1) & (data["event_response"] == 0)
        assert proposed.any() or accepted.any(), f"deal {k} has no matching offer"
    assert set(np.unique(data["event_response"])) <= {-1, 0, 1, 2}
    buy = data["event_is_buy"] == 1
    assert np.all(data["event_delivery_day"] >= data["event_day"])
    assert buy.any() and (~buy).any()  # a middle factory negotiates both sides


def test_each_partner_offer_is_answered_once_and_a_wait_is_not_an_answer(shard):
    _, data = shard
    received = data["event_kind"] == 1
    keys = np.stack(
        [data[f"event_{c}"][received] for c in ("agent", "day", "partner", "step")], axis=1
    )
    assert len(keys) > 0 and len(np.unique(keys, axis=0)) == len(keys)


def test_contracted_quantity_at_delivery_matches_the_days_state_before_any_deal(shard):
    _, data = shard
    rows = {
        (a, d): i for i, (a, d) in enumerate(zip(data["day_agent"], data["day_day"], strict=True))
    }
    checked = 0
    for k in np.flatnonzero(data["event_agreed_today"] == 0):
        row = rows[(data["event_agent"][k], data["event_day"][k])]
        offset = data["event_delivery_day"][k] - data["event_day"][k]
        if offset > 10:  # beyond the shard's horizon
            continue
        daily = data["day_shield_incoming" if data["event_is_buy"][k] else "day_shield_outgoing"]
        assert data["event_committed_at_delivery"][k] == abs(daily[row][offset]), k
        checked += 1
    assert checked > 10


def run_collect(*overrides):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.collect",
            "world.n_steps=5",
            "world.agents_per_process=2",
            "world.n_learners=1",
            "horizon=8",
            *overrides,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_collection_resumes_after_an_interruption_and_refuses_a_different_config(tmp_path):
    dataset = tmp_path / "dataset"
    first = run_collect(
        "n_worlds=2", f"dataset_dir={dataset}", f"hydra.run.dir={tmp_path / 'run1'}"
    )
    assert first.returncode == 0, first.stderr[-3000:]
    assert sorted(p.name for p in dataset.glob("world_*.npz")) == [
        "world_00000.npz",
        "world_00001.npz",
    ]
    # An interruption: one shard lost its rename, another write was cut half-way.
    (dataset / "world_00001.npz").rename(dataset / "world_00001.npz.tmp")
    (dataset / "world_00002.npz.tmp").write_bytes(b"half a shard")
    second = run_collect(
        "n_worlds=3", f"dataset_dir={dataset}", f"hydra.run.dir={tmp_path / 'run2'}"
    )
    assert second.returncode == 0, second.stderr[-3000:]
    metrics = json.loads((tmp_path / "run2" / "metrics.json").read_text())
    assert (
        metrics["collected_now"] == 2
        and metrics["worlds"] == 3
        and metrics["worlds_per_minute"] > 0
    )
    assert not list(dataset.glob("*.tmp"))
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert sorted(manifest["shards"]) == ["world_00000.npz", "world_00001.npz", "world_00002.npz"]
    assert manifest["config"]["expert"] == "PenguinAgent"
    other = run_collect(
        "expert=HeuristicStdAgent", f"dataset_dir={dataset}", f"hydra.run.dir={tmp_path / 'run3'}"
    )
    assert other.returncode != 0 and "different config" in other.stderr


def test_manifest_picks_up_complete_shards_it_missed(tmp_path, shard):
    _, data = shard
    np.savez(tmp_path / "world_00007.npz", **data)
    manifest = Manifest(tmp_path, {"expert": "x"})
    assert manifest.done("world_00007.npz") and manifest.totals()["days"] == 16


def test_training_mode_collects_the_same_dataset_from_the_same_seed(tmp_path):
    """scml's wall-clock limits make negotiations (and so datasets) differ from run to run;
    training-mode worlds have none, so a collection replays exactly."""
    from experiments.collect.shards import read_shard
    from experiments.collect.world_task import collect_world

    world = {
        "n_steps": 8,
        "agents_per_process": 2,
        "n_learners": 1,
        "mode": "training",
        "log_dir": str(tmp_path / "worlds"),
    }
    shards = []
    for run in ("a", "b"):
        path = tmp_path / run / "world_00000.npz"
        path.parent.mkdir()
        collect_world(world, "PenguinAgent", 11, 10, str(path))
        shards.append(read_shard(path))
    assert shards[0].keys() == shards[1].keys() and len(shards[0]["event_day"]) > 20
    for key in shards[0]:
        np.testing.assert_array_equal(shards[0][key], shards[1][key], err_msg=key)


@pytest.mark.slow
def test_several_experts_play_the_same_worlds_and_the_table_names_the_best(tmp_path):
    from omegaconf import OmegaConf

    from experiments.collect.expert_table import run as expert_table
    from experiments.datasets.expert_data import ExpertData

    dataset = tmp_path / "dataset"
    result = run_collect(
        "expert=[GreedyStdAgent,SyncRandomStdAgent]",
        "n_worlds=4",
        "levels=[0,2]",
        f"dataset_dir={dataset}",
        f"hydra.run.dir={tmp_path / 'run'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    shards = json.loads((dataset / "manifest.json").read_text())["shards"]
    played = [(s["expert"], s["level"], s["seed"]) for _, s in sorted(shards.items())]
    # Worlds 2k and 2k+1 share seed and level; only the expert differs.
    assert [p[0] for p in played] == ["GreedyStdAgent", "SyncRandomStdAgent"] * 2
    assert [p[1] for p in played] == [0, 0, 2, 2]
    assert played[0][2] == played[1][2] != played[2][2] == played[3][2]

    table = expert_table(OmegaConf.create({"dataset": str(dataset)}))
    assert set(table["best"]) == {0, 2} and (dataset / "expert_table.md").exists()
    for level, best in table["best"].items():
        rows = {r["expert"]: r for r in table["rows"] if r["level"] == level}
        assert rows[best]["score"]["mean"] == max(r["score"]["mean"] for r in rows.values())
        other = next(e for e in rows if e != best)
        assert rows[other]["paired_worlds"] == 1 and rows[other]["vs_best"]["mean"] <= 0

    chosen = ExpertData.load(dataset, {0: "GreedyStdAgent", 2: "SyncRandomStdAgent"})
    assert list(chosen["world_expert"]) == ["GreedyStdAgent", "SyncRandomStdAgent"]
    assert list(chosen["world_level"]) == [0, 2]
    assert set(chosen["day_world"]) == {0, 1} and set(chosen["expert_world"]) == {0, 1}
    everything = ExpertData.load(dataset)
    assert everything.n_days > chosen.n_days
    with pytest.raises(ValueError, match="no world matches"):
        ExpertData.load(dataset, {1: "GreedyStdAgent"})


def _collection_config(**overrides):
    from pathlib import Path

    from hydra import compose, initialize_config_dir

    from experiments.schemas import register_schemas

    register_schemas()
    conf = Path(__file__).resolve().parents[1] / "conf"
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        return compose("collect", [f"{k}={v}" for k, v in overrides.items()])


def test_world_lengths_are_drawn_per_seed_group_inside_the_range(tmp_path):
    from experiments.collect.__main__ import identity, world_plan

    cfg = _collection_config(
        expert="[HeuristicStdAgent,PenguinAgent]", n_worlds=40, lengths="[50,200]"
    )
    plans = world_plan(cfg, tmp_path)
    lengths = [p["world"]["n_steps"] for p in plans]
    assert all(50 <= n <= 200 for n in lengths)
    # The two experts of a group play one world: the same seed and length.
    assert lengths[0::2] == lengths[1::2]
    assert len(set(lengths[0::2])) > 10
    assert plans == world_plan(cfg, tmp_path)
    assert identity(cfg)["lengths"] == [50, 200]
    fixed = _collection_config(n_worlds=3)
    assert {p["world"]["n_steps"] for p in world_plan(fixed, tmp_path)} == {50}
    assert "lengths" not in identity(fixed)  # datasets collected before `lengths` still resume


@pytest.mark.parametrize("bad", ["[200,50]", "[2,10]", "[50]", "50"])
def test_bad_world_lengths_are_refused_by_name(tmp_path, bad):
    """A range that is no range is refused by the plan; a number where a list belongs already
    when the config is composed (the collect schema)."""
    from hydra.errors import ConfigCompositionException

    from experiments.collect.__main__ import world_plan

    with pytest.raises((ValueError, ConfigCompositionException), match="lengths"):
        world_plan(_collection_config(lengths=bad), tmp_path)


@pytest.mark.parametrize("level", [0, 1, 2])
def test_the_evaluation_mix_composes_every_level_like_the_evaluation(level):
    """Two competitor factories and the evaluation's fillers on every level, wherever the experts
    sit: the experts are their level's competitors, each past winner plays once elsewhere."""
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose("collect", overrides=["collection@_global_=evaluation_mix"])
        fillers = sorted(compose("evaluate").balanced.fillers)
    world = WorldConfig(**{**OmegaConf.to_container(cfg.world), "learner_process": level})
    world.validate()
    winners = []
    for here in range(world.n_processes):
        names = [name for lv, name in world.layout() if lv == here]
        assert sorted(n for n in names if n in fillers) == fillers
        others = [n for n in names if n not in fillers]
        if here == level:
            assert others == [None, None]  # the two experts
        else:
            assert len(others) == 2 and None not in others
            winners += others
    assert sorted(winners) == sorted(
        ["AS0", "PenguinAgent", "XenoSotaAgent", "UltraSuperMiracleSoraFinalAgentZ"]
    )
