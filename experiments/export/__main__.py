"""``python -m experiments.export checkpoint=<dir> out=<dir> [name=HRLXFAgent] [consumed_world_goals=fallback_at_middle]``."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from experiments.common.schemas import register_schemas
from experiments.export import export_agent

register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="export")
def main(cfg: DictConfig) -> None:
    print(export_agent(cfg.checkpoint, cfg.out, str(cfg.name), str(cfg.consumed_world_goals)))


if __name__ == "__main__":
    main()
