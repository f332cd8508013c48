"""Schemathesis against the OpenAPI schema: generated requests never get a server error or a stack trace."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency (make dev)")
pytest.importorskip("stanceline.api.app", reason="the REST API is not built yet")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from stanceline.api.app import create_app  # noqa: E402
from stanceline.config import load_settings  # noqa: E402
from tests.reliability.web_fixtures import TOKEN, build_hostile_store  # noqa: E402

EXAMPLES_PER_OPERATION = 15


def _operations(app: Any) -> dict[str, Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = [r.ok() for r in schema.get_all_operations()]
    return {f"{op.method.upper()} {op.path}": op for op in ops}


# The schema only: building the app opens no database (the store opens on the first request).
OPERATIONS = sorted(_operations(create_app(load_settings(db="sqlite:///:memory:"))))


@pytest.fixture(scope="module")
def operations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    db = tmp_path_factory.mktemp("schema") / "api.db"
    build_hostile_store(f"sqlite:///{db}")[0].close()
    real = socket.getaddrinfo

    def offline(host: str, *args: Any, **kwargs: Any) -> Any:
        # generated ingest URLs must reach no network: every name resolves to loopback, which is refused
        return real("127.0.0.1", *args, **kwargs)

    socket.getaddrinfo = offline  # type: ignore[assignment]
    try:
        yield _operations(create_app(load_settings(db=f"sqlite:///{db}", api_token=TOKEN, allow_private=False)))
    finally:
        socket.getaddrinfo = real  # type: ignore[assignment]


TALLY: Counter[str] = Counter()


def test_schema_lists_the_api_operations() -> None:
    assert len(OPERATIONS) >= 10
    assert any(label.startswith("POST ") for label in OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_api_operation_answers_generated_requests_without_server_errors(operations: dict[str, Any], label: str) -> None:
    operation = operations[label]

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        variants = ({"Authorization": f"Bearer {TOKEN}"}, {}) if operation.method.upper() != "GET" else ({},)
        for headers in variants:
            response = case.call(headers=headers)
            TALLY["requests"] += 1
            TALLY[f"{response.status_code // 100}xx"] += 1
            assert response.status_code < 500, (label, case.formatted_path, case.query, response.status_code,
                                                response.text[:300])
            assert "Traceback" not in response.text

    run()


def test_schemathesis_tally() -> None:
    """Runs after the operations in this module (file order): the figures for the report."""
    if TALLY:
        print("schemathesis:", dict(TALLY))
        assert TALLY["5xx"] == 0
