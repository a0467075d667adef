"""``python -m experiments.export checkpoint=<dir> out=<dir> [name=HRLXFAgent]``, with the options
``consumed_world_goals`` and ``heuristic`` (the fallback's parameters) of ``conf/export.yaml``;
``checkpoint=null`` exports the heuristic alone with those parameters."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig, OmegaConf

from experiments.export import export_agent, export_heuristic
from experiments.schemas import register_schemas

register_schemas()  # typed config groups: bad values fail at composition


@hydra.main(version_base="1.3", config_path="../../conf", config_name="export")
def main(cfg: DictConfig) -> None:
    heuristic = OmegaConf.to_container(cfg.heuristic, resolve=True)
    if cfg.checkpoint is None:
        print(export_heuristic(cfg.out, cfg.name, heuristic))
        return
    print(
        export_agent(
            cfg.checkpoint,
            cfg.out,
            cfg.name,
            cfg.consumed_world_goals,
            heuristic,
        )
    )


if __name__ == "__main__":
    main()
