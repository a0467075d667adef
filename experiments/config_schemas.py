"""The schemas of the primary configs (``conf/<name>.yaml``): each key's type, so a wrongly typed
value fails when the config is composed, naming the key.

Each primary config starts from its schema (``defaults: [<name>_schema, ...]``). The schemas
carry types only (``MISSING`` defaults): the YAML files stay where the values and their
comments live. A key that holds a config group is typed by the group's own schema (registered in
:mod:`experiments.schemas`) or ``Any`` where the group's options differ in shape (``stage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from experiments.common.ppo_settings import RLlibPPOSettings


@dataclass
class Base:
    """What every entry point shares (``conf/base.yaml``, ``conf/tool.yaml``)."""

    seed: int = MISSING
    threads: int = MISSING


@dataclass
class Run(Base):
    """An entry point that writes a run directory (``conf/base.yaml``)."""

    experiment_name: str = MISSING


@dataclass
class RaySettings:
    address: str | None = MISSING  # an existing cluster ("auto" or host:port); None: local
    num_cpus: int = MISSING


@dataclass
class CollectionSettings:
    """Where and from whom a dataset is collected (``conf/collection``)."""

    world: Any = MISSING  # the world group's schema
    expert: Any = MISSING  # an agent name, or a list of names cycled over the worlds
    expert_params: dict[str, Any] | None = MISSING
    n_worlds: int = MISSING
    horizon: int = MISSING
    levels: list[int] = MISSING
    lengths: list[int] | None = MISSING
    dataset_dir: str | None = MISSING
    ray: RaySettings = field(default_factory=RaySettings)


@dataclass
class NetworkSettings:
    hidden: int = MISSING
    d_model: int = MISSING
    n_layers: int = MISSING


@dataclass
class FreshNetworkSettings(NetworkSettings):
    """The online stage's networks when it starts from nothing."""

    history_length: int = MISSING


@dataclass
class TrainingSettings:
    """How datasets become training rows (``conf/training``)."""

    horizon: int = MISSING
    history_length: int = MISSING
    val_fraction: float = MISSING
    gamma: float = MISSING
    shaping: bool = MISSING
    l2_labels: str = MISSING
    experts_by_level: dict[int, str] | None = MISSING
    network: NetworkSettings = field(default_factory=NetworkSettings)


@dataclass
class CurriculumSettings:
    stages: list[str] = MISSING
    start: str | None = MISSING
    eval_worlds: int = MISSING


@dataclass
class CollectConfig(Run, CollectionSettings):
    pass


@dataclass
class CompareConfig(Run):
    runs: list[str] = MISSING
    tags: list[str] = MISSING


@dataclass
class MaddpgLearnSettings:
    total_env_steps: int = MISSING
    n_envs: int = MISSING
    eval_every: int = MISSING
    eval_episodes: int = MISSING


@dataclass
class MarlTask:
    name: str = MISSING
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class CompareMaddpgConfig(Run):
    marl_task: MarlTask = field(default_factory=MarlTask)
    maddpg: Any = MISSING
    methods: list[str] = MISSING
    seeds: list[int] = MISSING
    workers: int = MISSING
    learn: MaddpgLearnSettings = field(default_factory=MaddpgLearnSettings)


@dataclass
class CriticProbeConfig(Run):
    compare_dir: str = MISSING
    episodes: int = MISSING


@dataclass
class TrainMaddpgConfig(Run):
    marl_task: MarlTask = field(default_factory=MarlTask)
    maddpg: Any = MISSING
    method: str = MISSING
    learn: MaddpgLearnSettings = field(default_factory=MaddpgLearnSettings)


@dataclass
class DaggerConfig(Run):
    collect: CollectionSettings = field(default_factory=CollectionSettings)
    train: TrainingSettings = field(default_factory=TrainingSettings)
    bc: Any = MISSING
    dataset: str = MISSING
    init_from: str = MISSING
    iterations: int = MISSING
    teacher: Any = MISSING  # an executor: a module:Class path or a {_target_: ...} mapping
    score_final: bool = MISSING


@dataclass
class DatasetTool(Base):
    """``disagreement`` and ``expert_table``: a tool over one dataset."""

    dataset: str = MISSING


@dataclass
class EvaluateConfig(Run):
    balanced: Any = MISSING
    focus: list[str] = MISSING
    rivals: list[str] | None = MISSING
    include: list[str] = MISSING


@dataclass
class MarketData:
    kind: str = MISSING
    path: str | None = MISSING
    n_bars: int = MISSING
    seed: int = MISSING
    columns: dict[str, str] | None = MISSING
    adjusted: bool = MISSING


@dataclass
class SplitSettings:
    method: str = "walk_forward"
    train_size: int = MISSING
    test_size: int = MISSING
    gap: int = MISSING
    k: int = 5
    embargo: int = 0


@dataclass
class EvaluateAllocationConfig(Run):
    scenario: Any = None
    advisors: list[str] = MISSING
    market: MarketData = field(default_factory=MarketData)
    include_market: bool = MISSING
    track_window: int = MISSING
    cost: float = MISSING
    episode_length: int = MISSING
    splits: SplitSettings = field(default_factory=SplitSettings)
    ppo_timesteps: int = MISSING
    ppo_gamma: float = MISSING
    ppo_n_steps: int = MISSING
    stage1_reward: str = MISSING
    stage2_reward: str = MISSING
    stage2_decision: str = MISSING
    seeds: list[int] = MISSING
    bars_per_year: float = MISSING


@dataclass
class CalibrationEnvSettings:
    episode_length: int = MISSING
    supervisor_period: int = MISSING
    stats_window: int = MISSING
    cost: float = MISSING
    mdd_penalty: float = MISSING


@dataclass
class EvaluateCalibrationConfig(Run):
    scenario: Any = None
    market: MarketData = field(default_factory=MarketData)
    env: CalibrationEnvSettings = field(default_factory=CalibrationEnvSettings)
    splits: SplitSettings = field(default_factory=SplitSettings)
    sharing: str = MISSING
    iterations: int = MISSING
    seeds: list[int] = MISSING
    ray: RaySettings = field(default_factory=RaySettings)
    ppo: RLlibPPOSettings = field(default_factory=RLlibPPOSettings)
    bars_per_year: float = MISSING


@dataclass
class ExportConfig(Base):
    heuristic: Any = MISSING
    checkpoint: str | None = MISSING
    out: str = MISSING
    name: str = MISSING
    consumed_world_goals: str = MISSING


@dataclass
class ExportCheckConfig(Base):
    export: str = MISSING
    worlds_per_level: int = MISSING
    n_steps: int = MISSING
    opponents: list[str] = MISSING
    reference: str | None = MISSING


@dataclass
class PairedWorldsConfig(Base):
    a: str = MISSING
    b: str = MISSING
    levels: list[int] = MISSING
    worlds: int = MISSING
    first_seed: int = MISSING
    horizon: int = MISSING
    processes: int = MISSING
    out: str | None = MISSING
    world: Any = MISSING


@dataclass
class OffsetLineSearchConfig(Base):
    start: str = MISSING
    direction: str = MISSING
    scales: list[float] = MISSING
    levels: list[int] | None = MISSING
    worlds: int = MISSING
    first_seed: int = MISSING
    horizon: int = MISSING
    processes: int = MISSING
    out: str = MISSING
    world: Any = MISSING


@dataclass
class OffsetESConfig(Base):
    start: str = MISSING
    level: int = MISSING
    iterations: int = MISSING
    pairs: int = MISSING
    sigma: float = MISSING
    lr: float = MISSING
    max_step: float = MISSING
    first_seed: int = MISSING
    horizon: int = MISSING
    processes: int = MISSING
    out: str = MISSING
    world: Any = MISSING


@dataclass
class PositionRivals:
    first: str = MISSING
    middle: str = MISSING
    last: str = MISSING


@dataclass
class HeuristicTrialConfig(Run):
    heuristic: Any = MISSING
    balanced: Any = MISSING
    horizon: int = MISSING
    rivals: PositionRivals = field(default_factory=PositionRivals)


@dataclass
class OnlineWorlds:
    """The environments of the main job's online stages."""

    horizon: int = MISSING
    network: Any = MISSING
    world: Any = MISSING
    ray: RaySettings = field(default_factory=RaySettings)


@dataclass
class DaggerStageSettings:
    """The main job's DAgger stage (its collection is the collect stage's)."""

    iterations: int = MISSING
    teacher: Any = MISSING  # an executor: a module:Class path or a {_target_: ...} mapping
    epochs: int = MISSING  # BC epochs of each iteration (the bc stage's other settings)


@dataclass
class RecommendSettings:
    """How the main job picks the agent to enter."""

    shipped: str = MISSING  # the shipped agent's agent.zip
    balanced: Any = MISSING  # the balanced group's schema


@dataclass
class MainConfig(Run):
    curriculum: CurriculumSettings = field(default_factory=CurriculumSettings)
    collect: CollectionSettings = field(default_factory=CollectionSettings)
    train: TrainingSettings = field(default_factory=TrainingSettings)
    bc: Any = MISSING
    awr: Any = MISSING
    dagger: DaggerStageSettings = field(default_factory=DaggerStageSettings)
    ppo: Any = MISSING
    selfplay: Any = MISSING
    online: OnlineWorlds = field(default_factory=OnlineWorlds)
    recommend: RecommendSettings = field(default_factory=RecommendSettings)


@dataclass
class OnlineConfig(Run):
    world: Any = MISSING
    stage: Any = MISSING
    horizon: int = MISSING
    network: FreshNetworkSettings = field(default_factory=FreshNetworkSettings)
    ray: RaySettings = field(default_factory=RaySettings)


@dataclass
class PackageConfig(Base):
    export: str = MISSING
    out: str = MISSING
    team: str = MISSING
    author: str = MISSING
    email: str = MISSING
    version: str = MISSING


@dataclass
class RolloutConfig(Run):
    world: Any = MISSING
    opponents: Any = MISSING
    env: Any = MISSING
    policy: Any = MISSING
    episodes: int = MISSING


@dataclass
class ShipConfig(Base):
    heuristic: Any = MISSING
    checkpoint: str | None = MISSING
    name: str = MISSING
    class_name: str = MISSING
    team: str = MISSING
    author: str = MISSING
    email: str = MISSING
    version: str = MISSING


@dataclass
class SweepPreset:
    """A search (``conf/sweep``): see experiments.sweep."""

    name: str = MISSING
    app: str = MISSING
    overrides: list[str] = MISSING
    params: dict[str, Any] = MISSING
    studies: dict[str, Any] = field(default_factory=dict)
    objective: str | None = MISSING
    direction: str = MISSING
    n_trials: int = MISSING
    startup_trials: int = MISSING
    seed: int = MISSING
    worker: int = MISSING
    storage: str | None = MISSING
    heartbeat_s: int = MISSING
    trial_timeout_s: float = MISSING
    keep_going: bool = MISSING


@dataclass
class SweepConfig(Run):
    sweep: SweepPreset = field(default_factory=SweepPreset)


@dataclass
class SweepReportConfig(Base):
    sweep_dir: str = MISSING
    metric: str | None = MISSING
    mode: str | None = MISSING
    metrics: list[str] | None = MISSING


@dataclass
class TournamentConfig(Run):
    tournament: Any = MISSING


@dataclass
class TrainConfig(Run, TrainingSettings):
    stage: Any = MISSING
    dataset: Any = MISSING  # a dataset directory, or a list of them (trained on together)


@dataclass
class Task:
    name: str = MISSING
    id: str = MISSING
    extractor: str | None = None  # module:Class of an SB3 features extractor
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrainPPOConfig(Run):
    task: Task = field(default_factory=Task)
    algo: Any = MISSING


@dataclass
class TrainRLlibPPOConfig(Run):
    marl_task: MarlTask = field(default_factory=MarlTask)
    sharing: str = MISSING
    iterations: int = MISSING
    ray: RaySettings = field(default_factory=RaySettings)
    ppo: RLlibPPOSettings = field(default_factory=RLlibPPOSettings)


# conf/<name>.yaml -> its schema, stored as ``<name>_schema``.
PRIMARY_SCHEMAS: dict[str, type] = {
    "collect": CollectConfig,
    "compare": CompareConfig,
    "compare_maddpg": CompareMaddpgConfig,
    "critic_probe": CriticProbeConfig,
    "dagger": DaggerConfig,
    "disagreement": DatasetTool,
    "evaluate": EvaluateConfig,
    "evaluate_allocation": EvaluateAllocationConfig,
    "evaluate_calibration": EvaluateCalibrationConfig,
    "expert_table": DatasetTool,
    "export": ExportConfig,
    "export_check": ExportCheckConfig,
    "heuristic_trial": HeuristicTrialConfig,
    "main": MainConfig,
    "offset_es": OffsetESConfig,
    "offset_line_search": OffsetLineSearchConfig,
    "online": OnlineConfig,
    "paired_worlds": PairedWorldsConfig,
    "package": PackageConfig,
    "rollout": RolloutConfig,
    "ship": ShipConfig,
    "sweep": SweepConfig,
    "sweep_report": SweepReportConfig,
    "tournament": TournamentConfig,
    "train": TrainConfig,
    "train_maddpg": TrainMaddpgConfig,
    "train_ppo": TrainPPOConfig,
    "train_rllib_ppo": TrainRLlibPPOConfig,
}
