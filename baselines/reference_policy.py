"""Act as the environment's reference executor would (privileged actions travel in ``info``)."""

from __future__ import annotations

from typing import Any

import numpy as np


class ReferencePolicy:
    """Returns ``info["reference_action"]``: in the daily SCML env the goal its executor would set
    itself, in the round env the reference executor's responses on the action grid (build the
    round env with ``reference_executor=...``)."""

    def __call__(self, observation: Any, info: dict[str, Any]) -> np.ndarray:
        if "reference_action" not in info:
            raise ValueError(
                "info has no 'reference_action': build the environment with a reference executor"
            )
        return np.asarray(info["reference_action"])
