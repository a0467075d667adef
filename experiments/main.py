"""The main job (README): the default pipeline on small budgets, all under one run directory.

    bash experiments/run.sh main                       # defaults
    bash experiments/run.sh main tournament.n_steps=50 # any Hydra override

Today it runs a small tournament of the heuristic agent against PenguinAgent and SCML's
built-in agents and writes the table (results.md), the scores and a bar chart (scores.png).
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from experiments.tournament.__main__ import run as run_tournament


@hydra.main(version_base="1.3", config_path="../conf", config_name="main")
def main(cfg: DictConfig) -> None:
    run_tournament(cfg)


if __name__ == "__main__":
    main()
