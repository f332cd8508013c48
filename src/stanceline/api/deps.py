"""Dependencies shared by the routes: settings, the app's store, the pack, the write token."""

from __future__ import annotations

import secrets
import threading
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from stanceline.actors.pack import Pack
from stanceline.config import Settings
from stanceline.services import analysis
from stanceline.storage import SqlStore, open_store

_open_lock = threading.Lock()


# The dependencies are coroutines: FastAPI runs plain functions in its thread pool, a hop that costs
# more than these lookups. Opening the store or loading the pack, once, goes to a thread.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_store(request: Request) -> SqlStore:
    if request.app.state.store is None:
        return await run_in_threadpool(store_of, request.app)
    return request.app.state.store  # type: ignore[no-any-return]


def store_of(app: Any) -> SqlStore:
    """The app's one store, opened (and migrated) on first use rather than at import or app creation."""
    state = app.state
    if state.store is None:
        with _open_lock:
            if state.store is None:
                state.store = open_store(state.settings.db)
    return state.store  # type: ignore[no-any-return]


async def get_pack(request: Request) -> Pack:
    state = request.app.state
    if getattr(state, "pack", None) is None:
        state.pack = await run_in_threadpool(analysis.pack_of, state.settings)
    return state.pack  # type: ignore[no-any-return]


def token_refusal(expected: str | None, authorization: str | None) -> tuple[int, str] | None:
    """None when ``authorization`` carries the write token, else the (status, message) to answer with."""
    if not expected:
        return 403, "write endpoints are disabled: set STANCELINE_API_TOKEN to enable them"
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), expected.encode()):
        return 401, "a valid bearer token is required"
    return None


async def require_token(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Write endpoints: a bearer token equal to ``settings.api_token``; refused outright when none is set.

    ``RequestLimits`` checks the same before the body is read; this keeps each route guarded on its own.
    """
    refusal = token_refusal(request.app.state.settings.api_token, authorization)
    if refusal is not None:
        status, message = refusal
        raise HTTPException(status, message, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)


def write_token(request: Request) -> str:
    """The token writes need; every write is refused (403) while none is set."""
    expected: str | None = request.app.state.settings.api_token
    if not expected:
        status, message = token_refusal(expected, None) or (403, "")
        raise HTTPException(status, message)
    return expected


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[SqlStore, Depends(get_store)]
PackDep = Annotated[Pack, Depends(get_pack)]
TokenDep = Depends(require_token)
