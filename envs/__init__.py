"""HRL-XF environments. Importing this package registers the gymnasium ids; ``PARALLEL_ENVS``
names every PettingZoo factory (``module:function``). The conformance tests run over both."""

from gymnasium.envs.registration import register, registry

_IDS = {
    "HRLXF/SCMLDaily-v0": "envs.scml.daily_env:SCMLDailyEnv",
    "HRLXF/SCMLRound-v0": "envs.scml.round_env:SCMLRoundEnv",
    "HRLXF/Trading-v0": "envs.trading.single_env:TradingEnv",
    "HRLXF/AdvisorWeights-v0": "envs.allocation.envs:AdvisorWeightsEnv",
    "HRLXF/FusedDecision-v0": "envs.allocation.envs:FusedDecisionEnv",
}
for _env_id, _entry_point in _IDS.items():
    if _env_id not in registry:
        register(id=_env_id, entry_point=_entry_point)

PARALLEL_ENVS = {
    "scml": "envs.scml.parallel_env:parallel_env",
    "scml_central_critic": "envs.scml.parallel_env:central_critic_parallel_env",
    "trading": "envs.trading.parallel_env:parallel_env",
    "calibration": "envs.allocation.calibration:calibration_parallel_env",
}
