"""The three learned layers saved and loaded together, with the settings that shaped them."""

from __future__ import annotations

import json
import pickle
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from policies.decision.layouts import COORDINATOR_FEATURES
from policies.hrl.global_coordinator import GlobalCoordinator
from policies.hrl.horizon_manager import HorizonManager
from policies.hrl.temporal_decision_transformer import TemporalDecisionTransformer

WEIGHTS, CONFIG = "weights.pt", "config.json"


def trainable_parameters(module: nn.Module) -> list[nn.Parameter]:
    """The parameters an optimizer holds: those left requiring grad. Frozen ones (the goal
    offsets unless a stage unfreezes them) have no gradient to apply, and leaving them out keeps
    a saved optimizer state matching, parameter for parameter, runs saved before they existed."""
    return [parameter for parameter in module.parameters() if parameter.requires_grad]


@dataclass(frozen=True)
class BundleConfig:
    horizon: int = 40
    hidden: int = 128
    d_model: int = 64
    n_layers: int = 2
    history_length: int = 16


class HRLBundle(nn.Module):
    def __init__(self, config: BundleConfig) -> None:
        super().__init__()
        self.config = config
        self.manager = HorizonManager(hidden=config.hidden)
        self.transformer = TemporalDecisionTransformer(
            config.horizon,
            d_model=config.d_model,
            n_layers=config.n_layers,
            max_history=config.history_length,
        )
        self.coordinator = GlobalCoordinator(len(COORDINATOR_FEATURES), d_model=config.d_model)

    def save(self, directory: Path, extra: dict | None = None) -> None:
        """weights.pt and config.json, each written to a temporary name and renamed."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (WEIGHTS + ".tmp")
        torch.save(self.state_dict(), tmp)
        tmp.replace(directory / WEIGHTS)
        tmp = directory / (CONFIG + ".tmp")
        tmp.write_text(json.dumps({"bundle": asdict(self.config), **(extra or {})}, indent=2))
        tmp.replace(directory / CONFIG)

    @classmethod
    def load(cls, directory: Path) -> HRLBundle:
        directory = Path(directory)
        for name in (WEIGHTS, CONFIG):
            if not (directory / name).is_file():
                raise ValueError(f"{directory} is not an HRL checkpoint: {name} is missing")
        try:
            config = BundleConfig(**json.loads((directory / CONFIG).read_text())["bundle"])
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(
                f"{directory / CONFIG} is not a valid bundle config: {error}"
            ) from error
        bundle = cls(config)
        try:
            state = torch.load(directory / WEIGHTS, map_location="cpu", weights_only=True)
            bundle.load_state_dict(state)
        except (
            RuntimeError,
            EOFError,
            ValueError,
            pickle.UnpicklingError,
        ) as error:  # bad file, other shapes
            raise ValueError(f"{directory / WEIGHTS} does not match {config}: {error}") from error
        return bundle
