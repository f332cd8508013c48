"""``python -m stanceline.training [attribution|stance|encoder|all] [--corpus DIR]``."""

from __future__ import annotations

import argparse
import importlib
import sys

TRAINERS = {"attribution": "stanceline.training.attribution", "stance": "stanceline.training.stance",
            "encoder": "stanceline.training.encoder"}  # the encoder after judge.v2: judge.v3 mixes in its lexical head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stanceline.training", description=__doc__)
    parser.add_argument("model", choices=[*TRAINERS, "all"], nargs="?", default="all")
    parser.add_argument("--corpus", help="shared corpus folder (default ../shared/corpus or $STANCELINE_CORPUS)")
    args, rest = parser.parse_known_args(argv)
    names = list(TRAINERS) if args.model == "all" else [args.model]
    for name in names:
        module = importlib.import_module(TRAINERS[name])
        code = module.main(([f"--corpus={args.corpus}"] if args.corpus else []) + rest)
        if code:
            return int(code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
