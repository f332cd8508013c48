"""The ``stanceline`` command: a thin Typer shell over ``stanceline.services``.

Each area keeps its commands in its own module; importing it registers them on ``app``.
"""

from __future__ import annotations

from stanceline.cli import (  # noqa: F401 - registers analysis and serve commands
    actors,  # noqa: F401 - registers pack/actors commands
    analysis,
    core,  # noqa: F401 - registers commands
    ingestion,  # noqa: F401
    judging,  # noqa: F401 - registers judge and train-judge
    reprocess,  # noqa: F401
    serve,
)
from stanceline.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
