"""Start Ray for one run without writing into the home directory.

Ray 2.60 writes an auth token under ~/.ray and RLlib's Algorithm logs under ~/ray_results when
no Tune storage is configured; both are redirected here (the token is disabled for a local
cluster, the Algorithm's log folder moves into the run directory).

Workers get the driver's PYTHONHASHSEED (0 if unset): negmas and scml iterate over sets of
strings, so an SCML world replays the same way only under the same hash seed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
STARTUP_ATTEMPTS = 3  # local start-ups tried before the error is raised


def start_ray(run_dir: Path, num_cpus: int = 1, address: str | None = None) -> None:
    """Connect to ``address`` (an existing Ray cluster) or start a local one with ``num_cpus``."""
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    import ray
    import ray.tune.trainable.trainable as trainable

    results = Path(run_dir) / "ray_results"
    results.mkdir(parents=True, exist_ok=True)
    trainable.DEFAULT_STORAGE_PATH = str(results)  # read when an Algorithm picks its log folder
    if ray.is_initialized():
        return
    runtime_env = {"env_vars": {"PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")}}
    if address:
        ray.init(address=address, log_to_driver=False, runtime_env=runtime_env)
        return
    for attempt in range(1, STARTUP_ATTEMPTS + 1):
        try:
            ray.init(
                num_cpus=num_cpus,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env=runtime_env,
            )
            return
        except Exception as error:  # noqa: BLE001 - Ray raises a bare Exception for this
            # Ray waits a fixed 30 s for its raylet to register; on a loaded machine (another
            # run on every core) that start-up times out now and then, and a fresh try passes.
            if "timed out during startup" not in str(error) or attempt == STARTUP_ATTEMPTS:
                raise
            log.warning(
                "Ray start-up timed out (attempt %d of %d); retrying", attempt, STARTUP_ATTEMPTS
            )
            ray.shutdown()
