"""The TensorBoard tag contract: tags outside it are refused, SB3 and RLlib names map onto it."""

import pytest

from experiments.common.curves import CurveLogger, check_run, check_tag, sb3_tag


@pytest.mark.parametrize("tag", ["train/loss", "rollout/ep_rew_mean", "charts", "eval/"])
def test_tags_outside_the_contract_are_refused(tag):
    with pytest.raises(ValueError, match="outside the contract"):
        check_tag(tag)


def test_sb3_metrics_map_onto_the_contract():
    assert sb3_tag("rollout/ep_rew_mean") == "charts/episodic_return"
    assert sb3_tag("time/fps") == "charts/SPS"
    assert sb3_tag("train/learning_rate") == "charts/learning_rate"
    assert sb3_tag("train/value_loss") == "losses/value"
    assert sb3_tag("train/approx_kl") == "losses/approx_kl"
    assert sb3_tag("time/iterations") is None


def test_logger_writes_throughput_and_a_run_is_checked(tmp_path):
    with CurveLogger(tmp_path) as log:
        log.steps(0)
        log("charts/episodic_return", 1.0, 10)
        log.steps(10)
        with pytest.raises(ValueError, match="outside the contract"):
            log("train/x", 1.0, 10)
    assert check_run(tmp_path, ("charts/SPS",)) == {"charts/SPS", "charts/episodic_return"}
    with pytest.raises(ValueError, match="lacks the contract's tags \\['eval/score'\\]"):
        check_run(tmp_path, ("eval/score",))
