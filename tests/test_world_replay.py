"""Training-mode worlds replay exactly however slow the machine is (envs.scml.world_classes).

negmas's mechanisms draw from python's global generator when a negotiation's wall-clock age
passes a whole second; a clock where every reading is 1.5 s after the last makes that happen at
every negotiation round, as a slow day of a long world does now and then."""

import time

import negmas.mechanisms
import pytest
from scml.std import GreedyStdAgent

from envs.scml.config import world_config
from envs.scml.session import WorldSession
from envs.scml.world_classes import ClockFreeNegotiations, ClockFreeStdWorld, world_class


class SlowClock:
    """``negmas.mechanisms``' view of ``time``: every reading 1.5 s after the previous one."""

    def __init__(self) -> None:
        self.now_ns = 0

    def perf_counter_ns(self) -> int:
        self.now_ns += 1_500_000_000
        return self.now_ns

    def perf_counter(self) -> float:
        return time.perf_counter()


@pytest.fixture
def greedy_world(small_world) -> dict:
    return {**small_world, "n_steps": 4, "opponents": ["GreedyStdAgent"], "mode": "training"}


def final_scores(world: dict, seed: int) -> dict[str, float]:
    session = WorldSession(world_config(world), GreedyStdAgent, seed, horizon=10)
    while not session.done:
        session.step_day()
    return session.scores()


def test_a_slow_clock_does_not_change_a_training_world(monkeypatch, greedy_world):
    assert world_class("scml", "training") is ClockFreeStdWorld
    on_time = final_scores(greedy_world, seed=7)
    monkeypatch.setattr(negmas.mechanisms, "time", SlowClock())
    assert final_scores(greedy_world, seed=7) == on_time


def test_without_the_fix_the_slow_clock_parts_the_world(monkeypatch, greedy_world):
    """The control: the clock-dependent draw is real, so the test above can fail."""
    on_time = final_scores(greedy_world, seed=7)

    def scml_as_shipped(self, info):
        super(ClockFreeNegotiations, self).on_negotiation_start(info)

    monkeypatch.setattr(ClockFreeNegotiations, "on_negotiation_start", scml_as_shipped)
    monkeypatch.setattr(negmas.mechanisms, "time", SlowClock())
    assert final_scores(greedy_world, seed=7) != on_time


def test_the_default_mode_keeps_scmls_classes():
    from scml.std import SCML2024StdWorld

    from envs.scml.consumed_stock_world import ConsumedStockWorld

    assert world_class("scml") is SCML2024StdWorld
    assert world_class("consumed") is ConsumedStockWorld
    assert issubclass(world_class("consumed", "training"), ConsumedStockWorld)
