"""Jinja2 rendering with autoescape on every template: article text is untrusted input."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
STANCE_CLASS = {"support": "st-support", "oppose": "st-oppose", "conditional": "st-conditional", "neutral": "st-neutral"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["stance_class"] = lambda s: STANCE_CLASS.get(str(s), "st-none")
    env.filters["short"] = lambda text, n=220: (str(text) if len(str(text or "")) <= n else str(text)[: n - 1] + "…")
    env.filters["net"] = lambda v: "–" if v is None else f"{v:+.2f}"
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_response(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status_code)
