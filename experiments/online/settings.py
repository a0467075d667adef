"""Settings of the online stages: PPO (``conf/stage/ppo.yaml``, schema ``stage/ppo_schema``) and
self-play (``conf/stage/selfplay.yaml``, schema ``stage/selfplay_schema``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from experiments.common.ppo_settings import PPOHyperParams
from experiments.online.value_start import VALUE_STARTS
from policies.l2_goal import L2_TRAINABLE

LEVELS = ("l2", "l3", "alternate")
BACKENDS = ("rllib", "sb3")
BUILTINS = ["GreedyStdAgent", "SyncRandomStdAgent"]
WINNERS = ["PenguinAgent", "AS0", "XenoSotaAgent", "UltraSuperMiracleSoraFinalAgentZ"]
CRITICS = ("local", "central")


@dataclass(frozen=True)
class OnlineSettings(PPOHyperParams):
    """What every online stage shares: the start, the budget, PPO's hyper-parameters (in the
    project's one spelling, :class:`PPOHyperParams`)."""

    init_from: str | None = None  # the bundle to start from (None: fresh networks, "from scratch")
    env_steps: int = 2_000  # budget of environment steps
    train_batch_size: int = 256
    num_epochs: int = 4
    lr: float = 1e-4
    anchor_kl_coeff: float = 0.1  # KL(pi || starting policy) in the loss (0: plain PPO)
    # The bundle the KL anchor is (None: init_from): a run cut into chunks, each started from
    # the bundle the one before wrote, stays anchored to where the first chunk started.
    anchor_from: str | None = None
    reward_shaping: bool = True  # the potential-based shaping of envs.scml.reward
    # Where the value head starts (experiments.online.value_start): zero (V = 0), bundle (the
    # start's own), auto (zero from an offline bundle, whose head never saw these returns).
    value_start: str = "auto"
    num_env_runners: int = 0  # 0: sample on the driver
    # Worlds each runner steps side by side, one batched module call for all of them (on
    # 2 cores it gained nothing for L3; it is for runners with cores to spare).
    envs_per_runner: int = 1
    # Custom Ray resources each env runner needs (pins runners to the nodes that offer them).
    runner_resources: dict[str, float] = field(default_factory=dict)
    checkpoint_every: int = 5  # iterations between resumable checkpoints
    eval_episodes: int = 4  # worlds of the before/after evaluation (same seeds for both)
    # Every eval_every iterations (0: never) the policy plays eval_worlds_per_position seeded
    # worlds at every level: eval/tournament_score/<position>, a learning curve per position.
    eval_every: int = 0
    eval_worlds_per_position: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.eval_every < 0 or self.eval_worlds_per_position < 1:
            raise ValueError(f"need eval_every >= 0 and eval_worlds_per_position >= 1: {self}")
        if self.env_steps < 1 or self.anchor_kl_coeff < 0 or self.eval_episodes < 0:
            raise ValueError(
                f"need env_steps >= 1, anchor_kl_coeff >= 0, eval_episodes >= 0: {self}"
            )
        if self.checkpoint_every < 1:
            raise ValueError(f"checkpoint_every must be >= 1, got {self.checkpoint_every}")
        if self.value_start not in VALUE_STARTS:
            raise ValueError(
                f"stage.value_start must be one of {VALUE_STARTS}, got {self.value_start!r}"
            )
        if self.envs_per_runner < 1:
            raise ValueError(f"envs_per_runner must be >= 1, got {self.envs_per_runner}")


@dataclass(frozen=True)
class PPOStageSettings(OnlineSettings):
    kind: str = "ppo"
    backend: str = "rllib"  # rllib | sb3 (sb3: level l2 only)
    level: str = (
        "l2"  # l2: goals on the daily env | l3: thread answers on the round env | alternate
    )
    alternate_every: int = 2  # alternate: iterations per level before switching
    residual_log_std: float = -2.0  # L3 residual exploration noise at the start
    # L2 goal exploration noise (log std) at the start; None: the bundle's own (an imitation
    # leaves it at the network's initial -0.5). The KL anchor starts from the same value.
    goal_log_std: float | None = None
    max_threads: int = 8  # L3: thread slots of the round env
    # L2: the reward minus that of a twin world (the same seed, the executor's own goals):
    # common random numbers against world-to-world noise, at twice the simulation per step.
    twin_baseline: bool = False
    # L2: all (the goal network) | goal_offsets (only the goal offset of each position played
    # and the value head: the positions the learner never plays stay exactly as they started)
    trainable: str = "all"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind != "ppo":
            raise ValueError(f"stage kind must be ppo here, got {self.kind!r}")
        if self.level not in LEVELS:
            raise ValueError(f"stage.level must be one of {LEVELS}, got {self.level!r}")
        if self.twin_baseline and self.level != "l2":
            raise ValueError(
                "stage.twin_baseline is a daily-env (L2) reward: set stage.level=l2 or "
                "stage.twin_baseline=false"
            )
        if self.trainable not in L2_TRAINABLE:
            raise ValueError(
                f"stage.trainable must be one of {L2_TRAINABLE}, got {self.trainable!r}"
            )
        if self.trainable != "all" and (self.level != "l2" or self.backend != "rllib"):
            raise ValueError(
                f"stage.trainable={self.trainable} trains the RLlib L2 module's goal offsets: "
                "set stage.level=l2 and stage.backend=rllib, or stage.trainable=all"
            )
        if self.backend not in BACKENDS:
            raise ValueError(f"stage.backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.backend == "sb3" and self.level != "l2":
            raise ValueError(
                "stage.backend=sb3 trains L2 only (SB3 has no mixed discrete-continuous action "
                "distribution for the L3 form); use backend=rllib for level l3 or alternate"
            )
        if self.backend == "sb3" and (self.anchor_kl_coeff > 0 or self.anchor_from):
            raise ValueError(
                "the KL anchor is an RLlib learner feature: set stage.anchor_kl_coeff=0 (and no "
                "stage.anchor_from) for sb3"
            )
        if self.backend == "sb3" and self.goal_log_std is not None:
            raise ValueError(
                "stage.goal_log_std sets the RLlib module's start: sb3 keeps the bundle's own, "
                "set stage.goal_log_std=null for sb3"
            )
        if self.backend == "sb3" and self.eval_every:
            raise ValueError(
                "per-position curves (stage.eval_every) are drawn by the RLlib back end only: "
                "set stage.eval_every=0 for sb3"
            )


@dataclass(frozen=True)
class SelfPlaySettings(OnlineSettings):
    kind: str = "selfplay"
    learner_levels: list[int] = field(default_factory=lambda: [0, 1, 2])  # learner slots' levels
    learners_per_level: int = 1
    builtins: list[str] = field(default_factory=lambda: list(BUILTINS))
    winners: list[str] = field(default_factory=lambda: list(WINNERS))
    snapshot_every: int = 5  # iterations between frozen snapshots of the learner in the league
    max_snapshots: int = 5  # the oldest snapshots leave the league beyond this
    pfsp_power: float = 2.0  # weight (1 - win rate)^p
    pfsp_floor: float = 0.05  # every member keeps some chance
    # local: each learner's value from its own observation (independent PPO with a shared
    # module) | central: MAPPO, the value from every learner's observation
    critic: str = "local"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind != "selfplay":
            raise ValueError(f"stage kind must be selfplay here, got {self.kind!r}")
        if self.eval_every:
            raise ValueError(
                "self-play has learners at every level at once and draws no per-position "
                "curves: set stage.eval_every=0 (its league results are per member)"
            )
        if self.critic not in CRITICS:
            raise ValueError(f"stage.critic must be one of {CRITICS}, got {self.critic!r}")
        if not self.learner_levels or self.learners_per_level < 1:
            raise ValueError("self-play needs learner_levels and learners_per_level >= 1")
        if not (self.builtins or self.winners):
            raise ValueError("the league needs members: set stage.builtins or stage.winners")
        if (
            self.snapshot_every < 1
            or self.max_snapshots < 0
            or self.pfsp_power < 0
            or self.pfsp_floor <= 0
        ):
            raise ValueError(
                f"need snapshot_every >= 1, max_snapshots >= 0, pfsp_power >= 0, pfsp_floor > 0: {self}"
            )
