"""The masked L3 action distribution of the RLlib module (policies.hrl.rllib_distributions)."""

import torch

from policies.hrl.rllib_distributions import MASKED_LOGIT, slot_width, thread_action_distribution

K, H = 3, 4


def logits(valid=(1.0, 1.0, 0.0), forbid_accept=(False, True, False)):
    torch.manual_seed(0)
    slots = torch.randn(2, K, slot_width(H))
    slots[..., 0] = torch.tensor(valid)
    for i, forbid in enumerate(forbid_accept):
        if forbid:
            slots[:, i, 1] = MASKED_LOGIT
    slots[:, :, 1 + 3 + 2] = MASKED_LOGIT  # delivery offset 2 forbidden everywhere
    return slots.reshape(2, -1)


def test_masked_choices_are_never_sampled():
    dist = thread_action_distribution(K, H).from_logits(logits())
    for _ in range(200):
        sample = dist.sample()
        assert not (sample["operation"][:, 1] == 0).any()
        assert not (sample["delivery"] == 2).any()


def test_only_counters_pay_for_delivery_and_residual_and_padding_pays_nothing():
    dist = thread_action_distribution(K, H).from_logits(logits())
    sample = dist.sample()
    sample["operation"][:] = 2  # end everywhere
    base = dist.logp(sample)
    sample["delivery"] = (sample["delivery"] + 1) % (H + 1)
    sample["residual"] = sample["residual"] + 0.5
    assert torch.allclose(dist.logp(sample), base)  # unused by an end
    sample["operation"][:, 0] = 1
    assert not torch.allclose(dist.logp(sample), base)  # a counter uses both
    padded = dict(sample)
    padded["operation"] = sample["operation"].clone()
    padded["operation"][:, 2] = 0
    assert torch.allclose(dist.logp(padded), dist.logp(sample))  # slot 2 is padding


def test_kl_is_zero_to_itself_positive_to_another_and_finite_under_masks():
    cls = thread_action_distribution(K, H)
    a, b = cls.from_logits(logits()), cls.from_logits(logits() * 0.5)
    assert torch.allclose(a.kl(a), torch.zeros(2), atol=1e-5)
    kl = a.kl(b)
    assert torch.isfinite(kl).all() and (kl > 0).all()
    assert torch.isfinite(a.entropy()).all()


def test_deterministic_sample_is_the_mode():
    dist = thread_action_distribution(K, H).from_logits(logits())
    mode = dist.to_deterministic().sample()
    assert torch.equal(mode["operation"], dist.operation.probs.argmax(-1))
    assert torch.equal(mode["residual"], dist.residual.mean)
