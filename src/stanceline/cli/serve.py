"""``stanceline serve``: the REST API and the dashboard on one local port."""

from __future__ import annotations

from typing import Annotated

import typer

from stanceline.cli.app import DbOpt, PackOpt, app, err, friendly, settings_for


@app.command()
@friendly
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port (1-65535)", min=1, max=65535)] = 8000,
    db: DbOpt = None,
    pack: PackOpt = None,
    workers: Annotated[int, typer.Option("--workers", help="Server processes")] = 1,
) -> None:
    """Serve the dashboard at / and the REST API at /api/v1 (OpenAPI docs at /docs)."""
    import uvicorn

    from stanceline.api.app import create_app
    from stanceline.services.analysis import opened
    from stanceline.storage import require_persistent

    settings = settings_for(db, pack)
    require_persistent(settings.db)  # each server process would see its own empty database
    with opened(settings):  # fail here, with a clear message, if the database cannot be opened
        pass
    err.print(f"dashboard: http://{host}:{port}/   API docs: http://{host}:{port}/docs")
    if workers > 1:
        # Each worker process builds its own app (and store) from the same settings.
        import os

        os.environ["STANCELINE_DB"] = settings.db
        os.environ["STANCELINE_PACK"] = str(settings.pack)
        uvicorn.run("stanceline.api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
