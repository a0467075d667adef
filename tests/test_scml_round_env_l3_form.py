"""The round env's L3 action form: conformance, and the offline networks acting in it unchanged."""

import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env
from ray.rllib.core.columns import Columns

from envs.scml import SCMLRoundEnv
from policies.hrl.bundle import BundleConfig, HRLBundle
from policies.hrl.rllib_modules import ThreadPolicyModule

HORIZON = 10


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundle")
    torch.manual_seed(3)
    HRLBundle(
        BundleConfig(horizon=HORIZON, hidden=32, d_model=16, n_layers=1, history_length=8)
    ).save(root)
    return root


def l3_env(bundle_dir, tmp_path, **kwargs):
    return SCMLRoundEnv(
        world={"n_steps": 6, "agents_per_process": 2, "log_dir": str(tmp_path / "worlds")},
        horizon=HORIZON,
        executor={
            "_target_": "policies.hrl.executor:learned_executor",
            "directory": str(bundle_dir),
        },
        action_form="l3",
        **kwargs,
    )


def module_action(module, obs):
    batch = {Columns.OBS: {k: torch.as_tensor(v)[None] for k, v in obs.items()}}
    with torch.no_grad():
        inputs = module.forward_inference(batch)[Columns.ACTION_DIST_INPUTS]
    dist = module.get_inference_action_dist_cls().from_logits(inputs).to_deterministic()
    return {k: v[0].numpy() for k, v in dist.sample().items()}


def test_l3_form_passes_check_env(bundle_dir, tmp_path):
    check_env(l3_env(bundle_dir, tmp_path), skip_render_check=True)


def test_the_bundles_l3_acts_from_the_observation_exactly_as_the_executor(bundle_dir, tmp_path):
    """The RLlib module reads only the observation; its mode is the executor's own decision,
    and stepping with it plays the same world as stepping with the executor's answers."""
    env = l3_env(bundle_dir, tmp_path)
    module = ThreadPolicyModule(
        observation_space=env.observation_space,
        action_space=env.action_space,
        model_config={"bundle_dir": str(bundle_dir)},
    )
    obs, info = env.reset(seed=5)
    scores, counters, done = [], 0, False
    while not done:
        action, reference = module_action(module, obs), info["reference_action"]
        shown = int(obs["thread_mask"].sum())
        assert np.array_equal(action["operation"][:shown], reference["operation"][:shown])
        counter = reference["operation"][:shown] == 1
        # Where the shield allows no offset the delivery is unused (the baseline's is sent).
        chosen = counter & (obs["time_mask"][:shown].sum(axis=1) < HORIZON + 1)
        assert np.array_equal(
            action["delivery"][:shown][chosen], reference["delivery"][:shown][chosen]
        )
        np.testing.assert_allclose(
            action["residual"][:shown][counter], reference["residual"][:shown][counter], atol=1e-5
        )
        counters += int(counter.sum())
        obs, _, done, _, info = env.step(action)
        scores.append(info["score"])
    assert counters > 0
    replay = l3_env(bundle_dir, tmp_path)
    obs, info = replay.reset(seed=5)
    replayed, done = [], False
    while not done:
        obs, _, done, _, info = replay.step(info["reference_action"])
        replayed.append(info["score"])
    assert replayed == scores


def test_operation_mask_allows_accept_only_on_an_offer(bundle_dir, tmp_path):
    env = l3_env(bundle_dir, tmp_path)
    obs, _ = env.reset(seed=1)
    for _ in range(10):
        shown = int(obs["thread_mask"].sum())
        has_offer = env._threads.has_offer[:shown] if shown else np.zeros(0, bool)
        assert np.array_equal(obs["operation_mask"][:shown, 0] > 0, has_offer)
        assert (obs["operation_mask"][:, 1] == 1).all()  # a counter is always possible
        obs, _, done, _, _ = env.step(env.action_space.sample())
        if done:
            break


@pytest.mark.parametrize(
    ("action", "named"),
    [
        ({"operation": np.zeros(8, int)}, "keys"),
        (
            {
                "operation": np.full(8, 3),
                "delivery": np.zeros(8, int),
                "residual": np.zeros((8, 2)),
            },
            "operation must be in",
        ),
        (
            {
                "operation": np.zeros(8, int),
                "delivery": np.zeros(8, int),
                "residual": np.zeros((8, 3)),
            },
            "residual",
        ),
    ],
)
def test_malformed_l3_actions_are_refused(bundle_dir, tmp_path, action, named):
    env = l3_env(bundle_dir, tmp_path, reference_actions=False)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=named):
        env.step(action)


def test_unknown_action_form_is_refused():
    with pytest.raises(ValueError, match="action_form"):
        SCMLRoundEnv(action_form="absolute")


def test_a_batch_without_any_thread_gives_a_defined_distribution(bundle_dir, tmp_path):
    env = l3_env(bundle_dir, tmp_path, reference_actions=False)
    module = ThreadPolicyModule(
        observation_space=env.observation_space,
        action_space=env.action_space,
        model_config={"bundle_dir": str(bundle_dir)},
    )
    obs, _ = env.reset(seed=0)
    empty = {k: torch.as_tensor(v)[None].repeat(2, *([1] * v.ndim)) for k, v in obs.items()}
    empty["thread_mask"] = torch.zeros_like(empty["thread_mask"])
    inputs = module.forward_train({Columns.OBS: empty})[Columns.ACTION_DIST_INPUTS]
    dist = module.get_train_action_dist_cls().from_logits(inputs)
    assert torch.equal(dist.logp(dist.sample()), torch.zeros(2))
    assert torch.equal(dist.entropy(), torch.zeros(2))
