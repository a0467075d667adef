"""Known-answer checks of the allocation learner: with one advisor of planted skill among coin
flips, stage 1 (SB3 PPO on HRLXF/AdvisorWeights-v0) must learn to weight it. A failure here is a
learning bug, not a market without signal."""

import numpy as np
import pytest
import torch
from stable_baselines3 import PPO

from baselines.allocation_baselines import equal_weights
from envs.allocation.envs import LOGIT_SCALE, AdvisorWeightsEnv
from envs.allocation.fusion import softmax
from envs.allocation.scenarios import planted_skill_series


def test_planted_advisors_are_right_as_often_as_planted():
    series = planted_skill_series((0.6, 0.5), n_bars=20_000, seed=3)
    up = series.next_return[:-1] > 0
    calls_up = series.votes[:-1, :, 0] == 1
    accuracy = (calls_up == up[:, None]).mean(axis=0)
    np.testing.assert_allclose(accuracy, [0.6, 0.5], atol=0.015)
    assert series.advisor_names == ("skill_0.6_0", "skill_0.5_1")
    with pytest.raises(ValueError, match="probabilities"):
        planted_skill_series((1.5,))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_stage1_learns_to_weight_the_skilled_advisor(seed):
    torch.set_num_threads(1)
    series = planted_skill_series((0.6, 0.5, 0.5, 0.5), n_bars=3000, seed=seed)
    env = AdvisorWeightsEnv(
        series=series, start=0, stop=2000, episode_length=200, reward="accuracy"
    )
    model = PPO("MlpPolicy", env, n_steps=512, batch_size=64, n_epochs=5, seed=seed, device="cpu")
    model.learn(20_000)
    test = AdvisorWeightsEnv(series=series, start=2000, stop=3000, episode_length=1)
    actions = [model.predict(test.observation_at(t), deterministic=True)[0] for t in range(999)]
    weights = np.mean([softmax(LOGIT_SCALE * np.clip(a, -1.0, 1.0)) for a in actions], axis=0)
    assert weights[0] > 0.5 and weights[0] == weights.max(), weights
    learned = np.array([test.position_for(t, a) for t, a in enumerate(actions)])
    up = np.sign(series.next_return[2000:2999])
    equal = equal_weights(series.slice(2000, 2999))
    assert np.mean(learned == up) > np.mean(equal == up) + 0.03
