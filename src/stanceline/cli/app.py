"""The Typer app and what every command module shares (options, error handling)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from stanceline.config import Settings, load_settings
from stanceline.errors import PackError, StancelineError

app = typer.Typer(help="Who stands where on a negotiation, since when, and why.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
console = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

DbOpt = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL (default: $STANCELINE_DB or sqlite:///stanceline.db)")]
PackOpt = Annotated[Path | None, typer.Option("--pack", help="Domain pack folder (default: the bundled iran_us pack)")]


def friendly(func: F) -> F:
    """Show a one-line message, never a traceback, for errors a user can act on."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PackError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
            for problem in exc.problems:
                err.print(f"  {problem}")
            raise typer.Exit(2) from None
        except StancelineError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)  # one line, however narrow the terminal
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def settings_for(db: str | None = None, pack: Path | None = None, **extra: Any) -> Settings:
    return load_settings(db=db, pack=pack, **extra)


def write_file(output: Path, data: str | bytes) -> None:
    """Write ``data`` to ``output``; a missing folder, a folder as target or a refusal is one clear error."""
    try:
        if isinstance(data, bytes):
            output.write_bytes(data)
        else:
            output.write_text(data, encoding="utf-8")
    except IsADirectoryError:
        raise StancelineError(f"cannot write {output}: it is a folder; give a file name") from None
    except FileNotFoundError:
        raise StancelineError(f"cannot write {output}: folder {output.parent} does not exist") from None
    except OSError as exc:
        raise StancelineError(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"wrote {output}")


def write_output(text: str, output: Path | None) -> None:
    """Text to ``output``, or to stdout when no file is given (the status line goes to stderr)."""
    if output is None:
        sys.stdout.write(text)
    else:
        write_file(output, text)
