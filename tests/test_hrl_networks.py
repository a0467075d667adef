"""L2/L3/L4 networks on real environment observations, inside SB3 and as RLlib RLModules."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from ray.rllib.core.columns import Columns
from ray.rllib.core.distribution.torch.torch_distribution import TorchCategorical, TorchDiagGaussian
from stable_baselines3 import PPO

import envs  # noqa: F401 - registers the ids
from policies.hrl import (
    CONTEXT_DIM,
    GlobalCoordinator,
    HorizonManager,
    TemporalDecisionTransformer,
    role_goal_mask,
)
from policies.hrl.rllib_modules import DailyPlannerModule, RoundModule
from policies.hrl.sb3_extractors import DailyPlannerExtractor, RoundExtractor

H = 10


def make(env_id, small_world):
    return gym.make(env_id, world={**small_world, "n_steps": 6}, horizon=H)


def observations(env, n=4) -> dict[str, torch.Tensor]:
    obs, _ = env.reset(seed=0)
    rows = [obs]
    for _ in range(n - 1):
        obs, _, term, trunc, _ = env.step(env.action_space.sample())
        if term or trunc:
            obs, _ = env.reset()
        rows.append(obs)
    return {k: torch.as_tensor(np.stack([r[k] for r in rows])) for k in rows[0]}


def test_horizon_manager_on_daily_observations(small_world):
    obs = observations(make("HRLXF/SCMLDaily-v0", small_world))
    mean, log_std, value = HorizonManager()(obs)
    assert mean.shape == (4, 16) and log_std.shape == (4, 16) and value.shape == (4,)
    assert mean.abs().max() <= 1.0
    only_sells = {**obs, "x_role": torch.tensor([[0.0, 1.0]] * 4)}  # a first-level factory
    mean, _, _ = HorizonManager()(only_sells)
    buy_entries = [b * 4 + c for b in range(4) for c in (0, 1)]
    assert torch.all(mean[:, buy_entries] == 0.0)
    assert role_goal_mask(torch.tensor([[1.0, 0.0]]))[0].tolist() == [1, 1, 0, 0] * 4


def test_masked_time_logits_never_pick_a_forbidden_delta(small_world):
    obs = observations(make("HRLXF/SCMLRound-v0", small_world), n=6)
    masks = obs["time_mask"].reshape(-1, H + 1) > 0.5
    masks = masks[masks.any(dim=1)]
    rng = torch.Generator().manual_seed(0)
    random_masks = torch.rand(200, H + 1, generator=rng) < 0.3
    random_masks[:, 0] |= ~random_masks.any(dim=1)  # at least one allowed offset per row
    masks = torch.cat([masks, random_masks]) if len(masks) else random_masks
    n = len(masks)
    tdt = TemporalDecisionTransformer(H, max_history=5)
    out = tdt(
        torch.randn(n, 16),
        torch.randn(n, 5, 4),
        torch.rand(n, 5) > 0.5,
        torch.randn(n, CONTEXT_DIM),
        masks,
    )
    assert torch.all(masks[torch.arange(n), out["time_logits"].argmax(dim=1)])
    samples = torch.distributions.Categorical(logits=out["time_logits"]).sample((50,))
    assert torch.all(masks[torch.arange(n).expand(50, n), samples])
    assert out["residual"].shape == (n, 2) and out["operation_logits"].shape == (n, 3)


@pytest.mark.parametrize("training", [True, False])
def test_one_pass_decision_equals_reading_each_context_alone(training):
    """decide() shares the goal and history tokens between the proposal and answer contexts;
    neither context may see the other, so both summaries equal separate encode() calls."""
    torch.manual_seed(0)
    n, length = 64, 8
    tdt = TemporalDecisionTransformer(H, d_model=32, n_heads=4, n_layers=2, max_history=length)
    tdt.train(training)
    goal, history = torch.randn(n, 16), torch.randn(n, length, 4)
    valid = torch.rand(n, length) > 0.4
    valid[0] = False  # a thread with no history yet
    proposal, answer = torch.randn(n, CONTEXT_DIM), torch.randn(n, CONTEXT_DIM)
    masks = torch.rand(n, H + 1) > 0.5
    with torch.set_grad_enabled(training):
        one_pass = tdt.decide(goal, history, valid, proposal, answer, masks)
        alone = tdt(goal, history, valid, proposal, masks)
        answered = tdt.operation_logits(tdt.encode(goal, history, valid, answer), answer)
    torch.testing.assert_close(one_pass["residual"], alone["residual"])
    torch.testing.assert_close(one_pass["time_logits"], alone["time_logits"])
    torch.testing.assert_close(one_pass["operation_logits"], answered)
    # and the answer really is read from its own context, not the proposal's
    assert not torch.allclose(one_pass["operation_logits"], alone["operation_logits"])


def test_coordinator_weights_cover_valid_threads_and_follow_their_order():
    coordinator = GlobalCoordinator(thread_features=6)
    threads, delta = torch.randn(1, 5, 6), torch.rand(1, 5)
    valid = torch.tensor([[1, 1, 1, 0, 0]])
    weights = coordinator(threads, delta, valid)
    assert weights[0, :3].sum().item() == pytest.approx(1.0) and torch.all(weights[0, 3:] == 0)
    perm = torch.tensor([2, 0, 1, 3, 4])
    permuted = coordinator(threads[:, perm], delta[:, perm], valid[:, perm])
    torch.testing.assert_close(permuted, weights[:, perm])
    padded_changed = threads.clone()
    padded_changed[0, 3:] = 100.0  # what sits in padding rows cannot matter
    torch.testing.assert_close(coordinator(padded_changed, delta, valid), weights)
    assert torch.all(coordinator(threads, delta, torch.zeros(1, 5)) == 0)  # no threads, no weights


@pytest.mark.parametrize(
    "env_id,extractor",
    [("HRLXF/SCMLDaily-v0", DailyPlannerExtractor), ("HRLXF/SCMLRound-v0", RoundExtractor)],
)
def test_sb3_ppo_trains_with_the_hrl_extractors(small_world, env_id, extractor):
    env = make(env_id, small_world)
    model = PPO(
        "MultiInputPolicy",
        env,
        n_steps=16,
        batch_size=8,
        n_epochs=1,
        policy_kwargs={"features_extractor_class": extractor},
        device="cpu",
        seed=0,
    )
    model.learn(32)
    obs, _ = env.reset(seed=1)
    action, _ = model.predict(obs, deterministic=True)
    assert env.action_space.contains(action)
    assert isinstance(model.policy.features_extractor, extractor)


def test_rllib_modules_run_forward_passes_on_real_observations(small_world):
    daily = make("HRLXF/SCMLDaily-v0", small_world)
    module = DailyPlannerModule(
        observation_space=daily.observation_space,
        action_space=daily.action_space,
        model_config={"hidden": 64},
    )
    batch = {Columns.OBS: observations(daily)}
    for forward in (module.forward_inference, module.forward_exploration, module.forward_train):
        inputs = forward(batch)[Columns.ACTION_DIST_INPUTS]
        assert inputs.shape == (4, 32)
    assert module.compute_values(batch).shape == (4,)
    action = TorchDiagGaussian.from_logits(inputs).sample()
    assert action.shape == (4, 16)
    narrow = DailyPlannerModule(
        observation_space=daily.observation_space,
        action_space=daily.action_space,
        model_config={"hidden": 64, "goal_log_std": -1.5},
    )
    log_std = narrow.forward_exploration(batch)[Columns.ACTION_DIST_INPUTS][:, 16:]
    assert torch.allclose(log_std, torch.full_like(log_std, -1.5))

    rounds = make("HRLXF/SCMLRound-v0", small_world)
    module = RoundModule(
        observation_space=rounds.observation_space,
        action_space=rounds.action_space,
        model_config={},
    )
    batch = {Columns.OBS: observations(rounds)}
    logits = module.forward_inference(batch)[Columns.ACTION_DIST_INPUTS]
    assert logits.shape == (4, int(rounds.action_space.nvec.sum()))
    assert module.compute_values(batch).shape == (4,)
    first_component = TorchCategorical.from_logits(
        logits[:, : rounds.action_space.nvec[0]]
    ).sample()
    assert torch.all(first_component < rounds.action_space.nvec[0])


@pytest.mark.slow
def test_rllib_ppo_trains_the_daily_planner_module(tmp_path, small_world):
    import ray
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec

    from experiments.common.ray_runtime import start_ray

    start_ray(tmp_path, num_cpus=1)
    try:
        config = (
            PPOConfig()
            .environment(
                "HRLXF/SCMLDaily-v0",
                env_config={"world": {**small_world, "n_steps": 6}, "horizon": H},
            )
            .env_runners(num_env_runners=0, rollout_fragment_length="auto")
            .training(train_batch_size_per_learner=24, minibatch_size=12, num_epochs=1)
            .rl_module(
                rl_module_spec=RLModuleSpec(
                    module_class=DailyPlannerModule, model_config={"hidden": 32}
                )
            )
        )
        algo = config.build_algo()
        before = [p.detach().clone() for p in algo.get_module().parameters()]
        result = algo.train()
        after = list(algo.get_module().parameters())
        algo.stop()
    finally:
        ray.shutdown()
    assert result["env_runners"]["num_env_steps_sampled"] >= 24
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))  # it learned
