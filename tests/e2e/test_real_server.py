"""The real server over a socket: a proposal's round trip, and schemathesis against its OpenAPI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import msgspec
import pytest

from tests.e2e.conftest import Server
from tests.unit.builders import terms

# Bounded so that the suite stays fast; the seed makes a failure reproducible. The coverage
# phase is left out: in schemathesis 4.32 it crashed inside its own generator on our schema.
SCHEMATHESIS_EXAMPLES = "10"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def test_submit_review_and_read_back_over_a_socket(server: Server) -> None:
    official = {"Authorization": f"Bearer {server.token('official', '36.71')}"}
    reviewer = {"Authorization": f"Bearer {server.token('reviewer', '32.73')}"}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        created = client.post("/v1/proposals", json=msgspec.to_builtins(terms()), headers=official)
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        reviewed = client.post(
            f"{location}/reviews",
            json={"decision": "approve", "comment": "layak"},
            headers={**reviewer, "If-Match": created.headers["etag"]},
        )
        assert reviewed.status_code == 200, reviewed.text
        shown = client.get(location, headers=official)
        assert shown.json()["status"] == "approved"
        assert shown.headers["etag"] == reviewed.headers["etag"] == '"3"'
        assert client.get("/ready").json()["status"] == "ready"


@pytest.mark.serve_args("--workers", "2", "--server", "uvicorn")
def test_several_api_processes_with_the_projector_beside_them(server: Server) -> None:
    """Stateless API processes and one projector process: reads still follow writes."""
    official = {"Authorization": f"Bearer {server.token('official', '36.71')}"}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for _ in range(6):  # several connections: more than one worker answers
            created = client.post(
                "/v1/proposals", json=msgspec.to_builtins(terms()), headers=official
            )
            assert created.status_code == 201, created.text
            shown = client.get(created.headers["location"], headers=official)
            assert shown.json()["version"] == 2
        listed = client.get("/v1/proposals", headers=official).json()
        assert len(listed["items"]) == 6


def schemathesis(server: Server, token: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{server.url}/schema/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            SCHEMATHESIS_EXAMPLES,
            "--checks",
            CHECKS,
            "--phases",
            "examples,fuzzing",
            "--suppress-health-check",
            "filter_too_much,too_slow",
            "--seed",
            "20261123",
            # One worker: with two threads, schemathesis once died of CPython's "AST constructor
            # recursion depth mismatch" SystemError (cf. python/cpython#106905), not of us.
            "--workers",
            "1",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_schemathesis_finds_no_server_error_and_no_schema_break(server: Server) -> None:
    server.kerjasama("demo")
    as_official = schemathesis(server, server.token("official", "36.71"))
    assert as_official.returncode == 0, as_official.stdout[-6000:]
    as_auditor = schemathesis(
        server, server.token("auditor"), "--include-path-regex", "^/v1/(events|audit)"
    )
    assert as_auditor.returncode == 0, as_auditor.stdout[-6000:]
