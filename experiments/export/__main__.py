"""``python -m experiments.export checkpoint=<dir> out=<dir> [name=HRLXFAgent]``, with the options
``consumed_world_goals`` and ``heuristic`` (the fallback's parameters) of ``conf/export.yaml``."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.export import export_agent
from experiments.schemas import register_schemas

register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="export")
def main(cfg: DictConfig) -> None:
    print(
        export_agent(
            cfg.checkpoint,
            cfg.out,
            str(cfg.name),
            str(cfg.consumed_world_goals),
            OmegaConf.to_container(cfg.heuristic, resolve=True),
        )
    )


if __name__ == "__main__":
    main()
