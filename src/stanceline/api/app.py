"""The web application: REST API under ``/api/v1``, dashboard pages at ``/``, OpenAPI at ``/docs``."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from stanceline.api.deps import store_of, token_refusal
from stanceline.api.middleware import RequestLimits, ResponseCache, SecurityHeaders
from stanceline.config import Settings
from stanceline.errors import StancelineError, StoreError
from stanceline.services.analysis import InvalidRequestError, NotFoundError

log = logging.getLogger(__name__)
STATUS = {NotFoundError: 404, InvalidRequestError: 400, StoreError: 503}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_parameters", 429: "too_many_requests",
         503: "unavailable"}


def _status_code(status: int) -> str:
    """A code for a client error without its own entry in CODES: the status phrase, e.g. ``request_timeout``."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "client_error"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, detail: list[dict[str, Any]] | None = None,
           headers: dict[str, str] | None = None) -> Response:
    code = CODES.get(status) or ("internal" if status >= 500 else _status_code(status))
    if _wants_html(request):
        from stanceline.web.render import render_response

        return render_response("error.html", status_code=status, status=status, message=message)
    body: dict[str, Any] = {"code": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def create_app(settings: Settings) -> FastAPI:
    """Build the app for ``settings``; the store is opened on the first request that needs it."""
    from stanceline.api.routes import router
    from stanceline.web.views import STATIC
    from stanceline.web.views import router as pages

    app = FastAPI(title="stanceline", version="1", description="Who stands where on a negotiation, since when, and why.",
                  responses={400: {"model": _error_model()}, 404: {"model": _error_model()}})
    app.state.settings = settings
    app.state.store = None

    @app.exception_handler(StancelineError)
    async def stanceline_error(request: Request, exc: StancelineError) -> Response:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        return _error(request, status, str(exc))

    # Starlette's base class, so errors raised below FastAPI (an unparsable request body) get the same shape.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(request, 404, getattr(exc, "detail", None) or "not found")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        return _error(request, 422, "invalid parameters", detail)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error(request, 500, "internal error")

    # Innermost first: the cache sees only what passed the limits; security headers go on everything.
    app.add_middleware(ResponseCache, revision=lambda: str(store_of(app).revision()),
                       # Opening the store (first request) runs migrations: in a thread, like any networked read.
                       inline=lambda: app.state.store is not None and app.state.store.dialect == "sqlite",
                       max_bytes=max(0, settings.api_cache_mb) << 20)
    app.add_middleware(RequestLimits, max_body_bytes=settings.api_max_body_bytes,
                       failures_per_min=settings.api_auth_failures_per_min, error=_error,
                       authorize=lambda header: token_refusal(app.state.settings.api_token, header),
                       trusted_proxies=settings.api_trusted_proxies,
                       # Read-only judging, and the review page's forms (their route checks the token it keeps).
                       own_auth=("/api/v1/judge", "/review/"))
    app.add_middleware(SecurityHeaders)
    app.include_router(router, prefix="/api/v1")
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _error_model() -> type:
    from stanceline.api.schemas import ErrorPublic

    return ErrorPublic


def app_from_env() -> FastAPI:
    """Factory for multi-process servers: settings come from the environment of each worker."""
    from stanceline.config import load_settings

    return create_app(load_settings())
