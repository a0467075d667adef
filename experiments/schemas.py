"""The dataclasses behind the Hydra config groups, registered as structured-config schemas.

Each primary config starts from its schema (:mod:`experiments.config_schemas`) and each group's
YAML files from the group's ``schema`` (``defaults: [schema, _self_]``), so a value of
the wrong type or an unknown key fails when the config is composed, naming the key, instead of
deep inside a run. Every Hydra entry point calls :func:`register_schemas` before composing.
"""

from __future__ import annotations

import dataclasses
import typing

from hydra.core.config_store import ConfigStore

from baselines.heuristic.params import HeuristicParams
from envs.scml.world_builder import WorldConfig
from experiments.config_schemas import PRIMARY_SCHEMAS
from experiments.online.settings import PPOStageSettings, SelfPlaySettings
from experiments.tournament.balanced import BalancedSpec
from experiments.tournament.runner import TournamentSpec
from experiments.train.stages import StageSettings
from experiments.train_ppo_settings import PPOSettings
from policies.maddpg.config import MADDPGConfig

SCHEMAS = {
    "world": WorldConfig,
    "stage": StageSettings,
    "tournament": TournamentSpec,
    "algo": PPOSettings,
    "maddpg": MADDPGConfig,
    "balanced": BalancedSpec,
    "heuristic": HeuristicParams,
}


def editable(schema: type) -> type:
    """The same fields (names, types, defaults) in a dataclass that is not frozen: OmegaConf makes
    a frozen dataclass's node read-only, and YAML files must set values on top of the schema.
    Dataclasses inside (a frozen one anywhere, or a field holding one) become editable too."""
    hints = typing.get_type_hints(schema)
    nested = any(dataclasses.is_dataclass(hints[f.name]) for f in dataclasses.fields(schema))
    if not dataclasses.fields(schema) or not (schema.__dataclass_params__.frozen or nested):
        return schema
    fields = []
    for f in dataclasses.fields(schema):
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            hint, made = editable(hint), f.default_factory

            def factory(hint=hint, made=made):
                return _converted(hint, made())

            default = dataclasses.field(default_factory=factory)
        elif f.default_factory is not dataclasses.MISSING:
            default = dataclasses.field(default_factory=f.default_factory)
        else:
            default = dataclasses.field(default=f.default)
        fields.append((f.name, hint, default))
    return dataclasses.make_dataclass(schema.__name__, fields)


def _converted(editable_type: type, value: object) -> object:
    """A dataclass value as an instance of its editable twin, the dataclasses inside too."""
    hints = typing.get_type_hints(editable_type)
    values = {}
    for f in dataclasses.fields(value):
        inner = getattr(value, f.name)
        twin = hints[f.name]
        both = dataclasses.is_dataclass(inner) and dataclasses.is_dataclass(twin)
        values[f.name] = _converted(twin, inner) if both else inner
    return editable_type(**values)


# Groups whose options have different shapes: option-specific schemas, ``<group>/<name>``.
EXTRA_SCHEMAS = {
    ("stage", "ppo_schema"): PPOStageSettings,
    ("stage", "selfplay_schema"): SelfPlaySettings,
}


def register_schemas() -> None:
    """Store every group's schema as ``<group>/schema`` and every primary config's as
    ``<name>_schema`` (idempotent)."""
    store = ConfigStore.instance()
    for name, node in PRIMARY_SCHEMAS.items():
        store.store(name=f"{name}_schema", node=editable(node))
    for group, node in SCHEMAS.items():
        store.store(group=group, name="schema", node=editable(node))
    for (group, name), node in EXTRA_SCHEMAS.items():
        store.store(group=group, name=name, node=editable(node))
