"""The shield on a live SCML AWI: online and logged states give identical results."""

import numpy as np
from negmas import ResponseType, SAOResponse
from scml.std.agents import StdPlaceholder

from envs.scml.world_builder import WorldConfig, build_world
from policies.shield import ShieldState, compute_limits, state_from_awi, threads_from_awi, time_mask


def test_online_and_logged_state_give_identical_limits_and_masks(tmp_path):
    world, (learner,) = build_world(
        WorldConfig(n_steps=6, agents_per_process=2, log_dir=str(tmp_path)),
        StdPlaceholder,
        seed=11,
        one_offer_per_step=True,
    )
    world.step_with({}, init=True)
    awi = world.agents[learner].awi
    checked = 0
    for _ in range(200):
        partners = list(awi.current_nmis)
        online = state_from_awi(awi, horizon=12)
        logged = ShieldState.from_records([online.record()])
        a, b = compute_limits(online), compute_limits(logged)
        for name in ("safe_buy", "safe_sell", "budget", "raw_trajectory", "sell_room"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        if partners:
            threads = threads_from_awi(awi, partners, 12)
            np.testing.assert_array_equal(time_mask(a, threads), time_mask(b, threads))
            assert np.all(threads.max_delta <= 12) and np.all(threads.min_delta >= 0)
            checked += 1
        # The placeholder must answer every thread; ending them moves the days along.
        end = {p: SAOResponse(ResponseType.END_NEGOTIATION, None) for p in partners}
        if not world.step_with({learner: end}):
            break
    assert checked > 0
