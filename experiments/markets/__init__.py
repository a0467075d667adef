"""The market line: the multi-agent trading simulator, MADDPG, multi-agent PPO on RLlib, the
weight-allocation MDP and the hierarchical calibration environment (entry points and their
reports' helpers). The SCML curriculum lives in the rest of ``experiments``."""
