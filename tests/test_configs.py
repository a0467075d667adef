"""Every primary config composes with every option of every group it uses; typed groups reject
wrong types and unknown keys at composition, naming the key."""

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf

from experiments.config_schemas import PRIMARY_SCHEMAS
from experiments.schemas import EXTRA_SCHEMAS, SCHEMAS, register_schemas

CONF = Path(__file__).resolve().parents[1] / "conf"
PARTIALS = {"base", "tool"}  # included by primaries, not run on their own
PRIMARIES = sorted(p.stem for p in CONF.glob("*.yaml") if p.stem not in PARTIALS)
REQUIRED = {  # mandatory values (???) of primaries, given so that every field can be resolved
    "train": ["dataset=data"],
    "export": ["checkpoint=c", "out=o"],
    "package": ["export=e", "out=o"],
    "export_check": ["export=e"],
    "sweep_report": ["sweep_dir=d"],
    "critic_probe": ["compare_dir=d"],
    "expert_table": ["dataset=d"],
    "dagger": ["dataset=d", "init_from=c"],
    "ship": ["checkpoint=c", "name=n"],
    "paired_worlds": ["a=x", "b=y"],
    "offset_es": ["level=2", "out=o"],
    "offset_line_search": ["start=x", "direction=y", "out=o"],
}


def named_slot(key: str, group: str) -> bool:
    """A slot named after one option of its group (stage@ppo in main) holds that option only:
    the primary tunes option-specific fields there."""
    return "@" in key and key.split("@")[1] in options(group)


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


@pytest.fixture(scope="module", autouse=True)
def hydra_context():
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        yield


def choices(primary: str) -> dict[str, str]:
    cfg = compose(primary, overrides=REQUIRED.get(primary, []), return_hydra_config=True)
    return {k: v for k, v in cfg.hydra.runtime.choices.items() if not k.startswith("hydra/")}


def test_every_primary_is_found():
    assert {"main", "train", "collect", "tournament", "rollout", "train_ppo"} <= set(PRIMARIES)


@pytest.mark.parametrize("primary", PRIMARIES)
def test_primary_composes_with_every_option_of_its_groups(primary):
    for key in choices(primary):
        group = key.split("@")[0]
        for option in options(group):
            if named_slot(key, group) and option != key.split("@")[1]:
                continue
            cfg = compose(primary, overrides=[*REQUIRED.get(primary, []), f"{key}={option}"])
            package = key.split("@")[1] if "@" in key else group
            if package != "_global_":
                assert OmegaConf.select(cfg, package) is not None, f"{primary}: {key}={option}"
    if "tournament" in choices(primary):
        for preset in options("experiment"):
            compose(primary, overrides=[*REQUIRED.get(primary, []), f"+experiment={preset}"])


def test_typed_groups_have_their_schema_in_every_option():
    own = {(group, name.removesuffix("_schema")) for group, name in EXTRA_SCHEMAS}
    for group in SCHEMAS:
        for option in options(group):
            text = (CONF / group / f"{option}.yaml").read_text()
            schema = f"- {option}_schema" if (group, option) in own else "- schema"
            assert schema in text, f"conf/{group}/{option}.yaml does not start from its schema"


@pytest.mark.parametrize(
    ("primary", "override", "named"),
    [
        ("train", "stage.epochs=abc", "stage.epochs"),
        ("online", "stage.anchor_kl_coeff=lots", "stage.anchor_kl_coeff"),
        ("train", "stage.lerning_rate=0.1", "stage.lerning_rate"),
        ("rollout", "world.n_steps=ten", "world.n_steps"),
        ("rollout", "world.n_stepz=5", "world.n_stepz"),
        ("collect", "world.n_learners=two", "world.n_learners"),
        ("tournament", "tournament.n_configs=many", "tournament.n_configs"),
        ("train_ppo", "algo.lr=fast", "algo.lr"),
        ("train_maddpg", "maddpg.tau=x", "maddpg.tau"),
        ("main", "bc.epochs=abc", "bc.epochs"),
        ("export", "heuristic.price_slack=wide", "heuristic.price_slack"),
        ("export", "heuristic.concession_exponent.first=x", "heuristic.concession_exponent.first"),
        ("export", "heuristic.production_targt=0.9", "heuristic.production_targt"),
    ],
)
def test_wrong_types_and_unknown_keys_fail_at_composition(primary, override, named):
    with pytest.raises(ConfigCompositionException, match=named.replace(".", "\\.")):
        compose(primary, overrides=[*REQUIRED.get(primary, []), override])


# One of each primary's own keys, set to a value of the wrong type.
WRONG_TYPES = {
    "collect": "n_worlds=many",
    "compare": "runs=one",
    "compare_maddpg": "workers=two",
    "critic_probe": "episodes=ten",
    "dagger": "iterations=three",
    "disagreement": "seed=zero",
    "evaluate": "focus=HeuristicStdAgent",
    "evaluate_allocation": "ppo_timesteps=lots",
    "evaluate_calibration": "ppo.gae_lambda=high",
    "expert_table": "threads=one",
    "export": "name=[a,b]",
    "export_check": "worlds_per_level=two",
    "heuristic_trial": "horizon=long",
    "main": "curriculum.eval_worlds=four",
    "offset_es": "pairs=many",
    "offset_line_search": "scales=[big]",
    "online": "network.hidden=wide",
    "package": "team=[a,b]",
    "paired_worlds": "worlds=many",
    "rollout": "episodes=two",
    "ship": "version=[1,2]",
    "sweep": "sweep.n_trials=many",
    "sweep_report": "metrics=accuracy",
    "tournament": "seed=zero",
    "train": "val_fraction=quarter",
    "train_maddpg": "learn.n_envs=four",
    "train_ppo": "algo.num_epochs=five",
    "train_rllib_ppo": "ppo.train_batch_size=big",
}


def test_every_primary_starts_from_its_schema():
    assert set(PRIMARY_SCHEMAS) == set(PRIMARIES) == set(WRONG_TYPES)
    for primary in PRIMARIES:
        text = (CONF / f"{primary}.yaml").read_text()
        assert f"- {primary}_schema" in text, f"conf/{primary}.yaml does not start from its schema"


@pytest.mark.parametrize("primary", PRIMARIES)
def test_every_primary_refuses_a_wrongly_typed_value_naming_the_key(primary):
    override = WRONG_TYPES[primary]
    key = override.split("=")[0]
    with pytest.raises(ConfigCompositionException, match=key.replace(".", "\\.")):
        compose(primary, overrides=[*REQUIRED.get(primary, []), override])


def test_the_ppo_settings_are_spelled_once():
    """SB3 and RLlib read the same names; each library's spelling comes from one mapping."""
    from experiments.common.ppo_settings import PPOHyperParams

    hyper = PPOHyperParams(train_batch_size=128, minibatch_size=32, gae_lambda=0.9, clip=0.1)
    sb3, rllib = hyper.sb3_kwargs(), hyper.rllib_training()
    assert (sb3["n_steps"], sb3["batch_size"], sb3["gae_lambda"], sb3["clip_range"]) == (
        128,
        32,
        0.9,
        0.1,
    )
    assert rllib["train_batch_size_per_learner"] == 128 and rllib["lambda_"] == 0.9
    assert rllib["clip_param"] == 0.1 and rllib["minibatch_size"] == 32
    for primary, section in [
        ("train_ppo", "algo"),
        ("online", "stage"),
        ("train_rllib_ppo", "ppo"),
    ]:
        cfg = compose(primary, overrides=REQUIRED.get(primary, []))
        assert {"train_batch_size", "minibatch_size", "gae_lambda", "clip", "lr"} <= set(
            cfg[section]
        ), primary
    with pytest.raises(ValueError, match="minibatch_size"):
        PPOHyperParams(train_batch_size=16, minibatch_size=32)


def test_the_online_runs_worlds_are_one_preset():
    """The runs from the shipped student (world=evaluation_composed), the paired-worlds check and
    the twin-baseline benchmark play the same worlds: one preset, not three spellings."""
    online = compose("online", overrides=["world=evaluation_composed"]).world
    paired = compose("paired_worlds", overrides=REQUIRED["paired_worlds"]).world
    twin = compose("benchmarks/twin_baseline").world
    lineup = OmegaConf.to_container(online, resolve=False)
    assert OmegaConf.to_container(paired, resolve=False) == lineup
    assert OmegaConf.to_container(twin, resolve=False) == lineup
    assert lineup["n_steps"] == 50 and lineup["agents_per_process"] == 4
    assert {"AS0", "PenguinAgent", "XenoSotaAgent"} <= set(lineup["opponents"])
    # the online stages' own default stays the short one
    assert compose("online").world.n_steps == 30
