"""The reference without calibration: initial betas and thresholds, a fixed split and leverage."""

from __future__ import annotations

import numpy as np

from envs.allocation.calibration import MAX_LEVERAGE, MIN_LEVERAGE, SUPERVISOR


class StaticCalibration:
    """Factor agents never adjust; the supervisor holds ``slow_share`` and ``leverage``."""

    def __init__(self, slow_share: float = 0.5, leverage: float = 1.0) -> None:
        if not (0.0 <= slow_share <= 1.0 and MIN_LEVERAGE <= leverage <= MAX_LEVERAGE):
            raise ValueError(
                f"slow_share must be in [0, 1] and leverage in [{MIN_LEVERAGE}, {MAX_LEVERAGE}]"
            )
        self.supervisor_action = np.array(
            [
                2.0 * slow_share - 1.0,
                2.0 * (leverage - MIN_LEVERAGE) / (MAX_LEVERAGE - MIN_LEVERAGE) - 1.0,
            ],
            dtype=np.float32,
        )

    def __call__(self, observations: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {
            agent: self.supervisor_action.copy() if agent == SUPERVISOR else np.zeros(2, np.float32)
            for agent in observations
        }
