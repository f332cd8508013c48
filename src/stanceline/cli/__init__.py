"""The ``stanceline`` command: a thin Typer shell over ``stanceline.services``.

Each area keeps its commands in its own module; importing it registers them on ``app``.
"""

from __future__ import annotations

from stanceline.cli import core  # noqa: F401 - registers commands
from stanceline.cli import actors  # noqa: F401 - registers pack/actors commands
from stanceline.cli import ingestion  # noqa: F401
from stanceline.cli import analysis, serve  # noqa: F401 - registers analysis and serve commands
from stanceline.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
