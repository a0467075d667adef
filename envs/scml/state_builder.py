"""The declared space of the L2 observation (built by :mod:`policies.decision.observation`)."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from policies.decision.layouts import ROLE_FEATURES, STATIC_FEATURES, TEMPORAL_FEATURES
from policies.decision.observation import FEATURE_BOUND


def observation_space(horizon: int) -> spaces.Dict:
    def box(shape: tuple[int, ...], low: float = -FEATURE_BOUND) -> spaces.Box:
        return spaces.Box(low, FEATURE_BOUND, shape=shape, dtype=np.float32)

    return spaces.Dict(
        {
            "x_static": box((len(STATIC_FEATURES),)),
            "X_temporal": box((horizon + 1, len(TEMPORAL_FEATURES))),
            "x_role": spaces.Box(0.0, 1.0, shape=(len(ROLE_FEATURES),), dtype=np.float32),
        }
    )
