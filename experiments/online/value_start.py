"""Where an online stage's value head starts (``stage.value_start``).

An offline bundle's value head was never fitted to the returns an online stage sees: BC leaves
it at its random initialisation and AWR fits standardized returns (a return of one standard
deviation is 1.0 there; a 50-day SCML world's whole return is about 0.36 here). Its errors
(about 0.06 at the first update of run 5 from the shipped student, against a day's reward of
about 0.007) then make up most of the first updates' advantages: the explained variance was
-0.51 (run 4) and -1.0 (run 5, two updates) at the start, 0.71 from a bundle PPO had fitted
(run 6). Starting the head at V = 0 gives those updates plain discounted returns instead. A
bundle an online stage wrote (a chunk of a longer run) keeps its fitted head. The choice is made
once per run, against ``stage.init_from`` itself, and applied to the run's own copy of it
(``initial``), which every back end and phase starts from.
"""

from __future__ import annotations

import json
from pathlib import Path

from policies.hrl.bundle import CONFIG

VALUE_STARTS = ("auto", "zero", "bundle")
ONLINE_STAGES = ("ppo", "selfplay", "selfplay-snapshot")  # the ``stage`` their bundles record


def resolve_value_start(setting: str, bundle_dir: Path | str | None) -> str:
    """``zero`` or ``bundle`` for a start at ``bundle_dir`` (None: fresh networks, which keep
    their own initialisation). ``auto``: ``bundle`` when an online stage wrote the bundle,
    ``zero`` otherwise."""
    if setting not in VALUE_STARTS:
        raise ValueError(f"stage.value_start must be one of {VALUE_STARTS}, got {setting!r}")
    if setting != "auto":
        return setting
    if bundle_dir is None:
        return "bundle"
    config = json.loads((Path(bundle_dir) / CONFIG).read_text())
    return "bundle" if config.get("stage") in ONLINE_STAGES else "zero"
