"""The PPO stage (experiments.online): RLlib L2/L3 and SB3 L2 from a bundle, back into a bundle."""

import json
import subprocess
import sys

import pytest
import torch

from experiments.common.curves import check_run
from experiments.common.tensorboard_curves import read_scalars
from experiments.export import export_agent, load_agent_class
from experiments.online.settings import PPOStageSettings
from policies.hrl.bundle import WEIGHTS, BundleConfig, HRLBundle

TINY = [
    "horizon=10",
    "stage.train_batch_size=30",
    "stage.minibatch_size=15",
    "stage.num_epochs=2",
    "stage.lr=1e-3",
    "stage.eval_episodes=2",
    "world.n_steps=6",
    "world.n_processes=2",
    "world.agents_per_process=2",
    "ray.num_cpus=1",
]


@pytest.fixture(scope="module")
def awr_bundle(tmp_path_factory):
    """Stands in for an AWR checkpoint: same format, small random networks."""
    root = tmp_path_factory.mktemp("awr")
    torch.manual_seed(0)
    config = BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8)
    HRLBundle(config).save(root / "checkpoint", extra={"stage": "awr"})
    return root / "checkpoint"


def run_stage(run_dir, *overrides):
    result = subprocess.run(
        [sys.executable, "-m", "experiments.online", f"hydra.run.dir={run_dir}", *TINY, *overrides],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads((run_dir / "metrics.json").read_text())


def changed_parts(before_dir, after_dir):
    before = torch.load(before_dir / WEIGHTS, weights_only=True)
    after = torch.load(after_dir / WEIGHTS, weights_only=True)
    return sorted({k.split(".")[0] for k in before if not torch.equal(before[k], after[k])})


@pytest.mark.slow
def test_alternating_rllib_ppo_trains_l2_then_l3_into_an_exportable_bundle(awr_bundle, tmp_path):
    run = tmp_path / "run"
    metrics = run_stage(
        run,
        f"stage.init_from={awr_bundle}",
        "stage.level=alternate",
        "stage.alternate_every=1",
        "stage.env_steps=60",
    )
    assert metrics["env_steps"] >= 60 and metrics["iterations"] == 2
    progress = json.loads((run / "progress.json").read_text())
    assert [p["level"] for p in progress["levels"]] == ["l2", "l3"]
    # Phase 0 moved only L2 (the day's goals), phase 1 only L3; L4 was never trained.
    assert changed_parts(awr_bundle, run / "phases" / "0") == ["manager"]
    assert changed_parts(run / "phases" / "0", run / "phases" / "1") == ["transformer"]
    assert changed_parts(run / "phases" / "1", run / "checkpoint") == []
    # The same seeded worlds before and after, with the paired difference.
    assert len(metrics["score_before"]) == len(metrics["score_after"]) == 2
    assert metrics["paired_difference"]["low"] <= metrics["paired_difference"]["mean"]
    tags = check_run(
        run / "tensorboard",
        required=("charts/episodic_return", "charts/final_score", "charts/SPS", "eval/score"),
    )
    assert "losses/default_policy/anchor_kl" in tags
    # Each phase's update moved its own part away from the phase's source.
    _, drift = read_scalars(run / "tensorboard", "losses/default_policy/policy_drift")
    assert len(drift) == 2 and all(d > 0 for d in drift)
    # The export takes the stage's bundle as it is.
    agent = load_agent_class(export_agent(run / "checkpoint", tmp_path / "agent", "HRLXFPPO"))
    assert agent.__name__ == "HRLXFPPO"


@pytest.mark.slow
def test_sb3_back_end_trains_l2_from_the_bundle(awr_bundle, tmp_path):
    run = tmp_path / "run"
    metrics = run_stage(
        run,
        f"stage.init_from={awr_bundle}",
        "stage.backend=sb3",
        "stage.anchor_kl_coeff=0",
        "stage.env_steps=60",
    )
    assert metrics["env_steps"] >= 60
    assert changed_parts(awr_bundle, run / "checkpoint") == ["manager"]
    check_run(run / "tensorboard", required=("charts/episodic_return", "eval/score"))


def test_sb3_policy_starts_as_the_bundles_planner(awr_bundle, tmp_path):
    from stable_baselines3 import PPO

    from envs.scml import SCMLDailyEnv
    from experiments.online.evaluation import executor_spec
    from experiments.online.ppo_sb3 import BundlePlannerPolicy, load_bundle_into, write_bundle_from
    from policies.hrl.sb3_extractors import DailyPlannerExtractor

    env = SCMLDailyEnv(
        world={"n_steps": 5, "agents_per_process": 2, "log_dir": str(tmp_path / "w")},
        horizon=10,
        executor=executor_spec(awr_bundle),
    )
    bundle = HRLBundle.load(awr_bundle)
    model = PPO(
        BundlePlannerPolicy,
        env,
        n_steps=8,
        batch_size=8,
        policy_kwargs={
            "features_extractor_class": DailyPlannerExtractor,
            "features_extractor_kwargs": {"hidden": 32},
            "net_arch": {"pi": [], "vf": []},
        },
        device="cpu",
    )
    load_bundle_into(model, bundle)
    obs, info = env.reset(seed=0)
    tensors = {k: torch.as_tensor(v)[None] for k, v in obs.items()}
    with torch.no_grad():
        mean, _, value = bundle.manager(tensors)
        sb3_mean = model.policy.get_distribution(tensors).distribution.mean
        sb3_value = model.policy.predict_values(tensors)
    # The manager zeroes the goal of a side the factory cannot trade; SB3 leaves it (unused).
    used = mean != 0
    assert torch.allclose(sb3_mean[used], mean[used], atol=1e-6)
    assert torch.allclose(sb3_value.squeeze(-1), value, atol=1e-6)
    copy = HRLBundle.load(awr_bundle)
    write_bundle_from(model, copy)
    for key, tensor in bundle.manager.state_dict().items():
        assert torch.equal(tensor, copy.manager.state_dict()[key]), key


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"backend": "sb3", "level": "l3"}, "sb3 trains L2 only"),
        ({"backend": "sb3", "anchor_kl_coeff": 0.1}, "anchor"),
        ({"backend": "sb3", "anchor_kl_coeff": 0.0, "anchor_from": "b"}, "anchor_from"),
        ({"backend": "sb3", "anchor_kl_coeff": 0.0, "eval_every": 2}, "eval_every"),
        ({"backend": "sb3", "anchor_kl_coeff": 0.0, "goal_log_std": -1.5}, "goal_log_std"),
        ({"level": "l4"}, "stage.level"),
        ({"minibatch_size": 512}, "minibatch_size"),
        ({"envs_per_runner": 0}, "envs_per_runner"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(settings, named):
    with pytest.raises(ValueError, match=named):
        PPOStageSettings(**settings)


@pytest.mark.slow
def test_a_killed_ppo_stage_resumes_from_its_last_checkpoint(awr_bundle, tmp_path):
    import contextlib
    import os
    import signal
    import time

    run = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "experiments.online",
        f"hydra.run.dir={run}",
        *TINY,
        f"stage.init_from={awr_bundle}",
        "stage.env_steps=90",
        "stage.checkpoint_every=1",
        "stage.eval_episodes=0",
    ]
    log = tmp_path / "first_run.log"
    with log.open("w") as sink:
        first = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    progress = run / "progress.json"
    # Generous: on a loaded 2-core machine Ray's start-up alone took minutes (300 s was missed
    # once); the loop ends as soon as two iterations are saved.
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline and first.poll() is None:
        if progress.is_file() and json.loads(progress.read_text())["iterations"] >= 2:
            break
        time.sleep(0.2)
    exit_code = first.poll()
    with contextlib.suppress(ProcessLookupError):  # the group may be gone if the run ended
        os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert progress.is_file(), (
        f"the first run saved no progress (exit code {exit_code}); its log ends:\n"
        + log.read_text()[-3000:]
    )
    killed_at = json.loads(progress.read_text())
    assert killed_at["iterations"] >= 2 and killed_at["env_steps"] < 90
    # Rerun with the steps already done as the budget: the saved phase becomes the bundle.
    stopped = run_stage(
        run,
        f"stage.init_from={awr_bundle}",
        f"stage.env_steps={killed_at['env_steps']}",
        "stage.checkpoint_every=1",
        "stage.eval_episodes=0",
    )
    assert stopped["env_steps"] == killed_at["env_steps"]
    assert (run / "checkpoint" / WEIGHTS).is_file() and not (run / "checkpoints").exists()
    metrics = run_stage(
        run,
        f"stage.init_from={awr_bundle}",
        "stage.env_steps=90",
        "stage.checkpoint_every=1",
        "stage.eval_episodes=0",
    )
    done = json.loads(progress.read_text())
    # The resumed run went on from the saved iterations instead of starting over.
    assert metrics["env_steps"] == 90 and done["iterations"] == killed_at["iterations"] + 1
    assert not (run / "checkpoints").exists()


@pytest.mark.slow
def test_ppo_draws_the_learners_level_per_episode_and_draws_a_curve_per_position(
    awr_bundle, tmp_path
):
    run = tmp_path / "run"
    metrics = run_stage(
        run,
        f"stage.init_from={awr_bundle}",
        "stage.env_steps=60",
        "stage.eval_every=1",
        "stage.eval_worlds_per_position=1",
        "world.learner_process_choices=[0,1]",
    )
    assert metrics["iterations"] == 2
    tags = check_run(run / "tensorboard", required=("charts/final_score",))
    # both levels were played within 60 steps of 6-day worlds (10 episodes), with their scores
    assert {"charts/final_score/first", "charts/final_score/last"} <= set(tags)
    for position in ("first", "last"):
        steps, values = read_scalars(run / "tensorboard", f"eval/tournament_score/{position}")
        assert steps[0] == 0 and len(steps) == 3 and (steps[1:] > steps[:-1]).all()
        assert len(set(values.round(6))) >= 1
    assert not (run / "eval_bundles").exists() or not any((run / "eval_bundles").iterdir())


@pytest.mark.slow
def test_the_anchor_can_be_another_bundle_than_the_start(awr_bundle, tmp_path):
    """A chunk of a long run starts from the bundle the chunk before wrote and stays anchored to
    where the run began: with the anchor at a different policy the KL is far above the ~0 of
    an anchor at the start (tiny learning rate: the policy barely moves). The start's run has a
    narrower goal noise (``goal_log_std``), which narrows the anchor too: its KL stays ~0."""
    torch.manual_seed(1)
    config = BundleConfig(horizon=10, hidden=32, d_model=16, n_layers=1, history_length=8)
    other = tmp_path / "other"
    HRLBundle(config).save(other, extra={"stage": "other"})
    kl = {}
    cases = (
        ("start", ["stage.goal_log_std=-1.5"]),
        ("other", [f"stage.anchor_from={other}"]),
    )
    for name, extra in cases:
        run = tmp_path / name
        run_stage(
            run, f"stage.init_from={awr_bundle}", "stage.env_steps=30", "stage.lr=1e-7", *extra
        )
        _, values = read_scalars(run / "tensorboard", "losses/default_policy/anchor_kl")
        kl[name] = float(values[0])
    assert kl["start"] < 1e-3 and kl["other"] > 100 * max(kl["start"], 1e-6)


def test_remote_runners_wait_for_a_whole_fragment_of_days():
    # A fragment of SCML days takes minutes: a sample timeout would drop each one unfinished.
    from experiments.online.ppo import ppo_config

    config = ppo_config(PPOStageSettings(num_env_runners=2), seed=0)
    assert config.num_env_runners == 2
    assert config.sample_timeout_s is None
