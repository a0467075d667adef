"""``python -m experiments.export checkpoint=<dir> out=<dir> [name=HRLXFAgent]``."""

from __future__ import annotations

import sys

from experiments.export import export_agent


def main(argv: list[str]) -> None:
    args = dict(arg.split("=", 1) for arg in argv if "=" in arg)
    unknown = set(args) - {"checkpoint", "out", "name"}
    if unknown or not {"checkpoint", "out"} <= set(args):
        raise SystemExit(
            "usage: python -m experiments.export checkpoint=<dir> out=<dir> [name=HRLXFAgent]"
        )
    print(export_agent(args["checkpoint"], args["out"], args.get("name", "HRLXFAgent")))


if __name__ == "__main__":
    main(sys.argv[1:])
