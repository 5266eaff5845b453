"""The fast read of `GET /v1/proposals/{id}`: Litestar's answer to the byte, or Litestar's own.

A token the cache does not know yet goes through Litestar (which then caches it), so the same
request sent twice is answered once by each path; `kerjasama_fast_reads_total` says which.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import HOT_READS_APPLICATION
from tests.api.conftest import Api, api_settings, running_api
from tests.databases import SqliteDatabases, end_every_connection

PROBLEM = "application/problem+json"
# Values that differ between two answers by design: a window's count and its seconds left.
PER_ANSWER = {b"ratelimit-remaining", b"ratelimit-reset"}


FAST_READS = "kerjasama_fast_reads_total"


def answers_counted(counter: str) -> float:
    """How many requests a fast path's counter says it answered so far."""
    return REGISTRY.get_sample_value(counter) or 0.0


def fast_reads() -> float:
    return answers_counted(FAST_READS)


def requests_counted(status: int, template: str = "/v1/proposals/{proposal_id}") -> float:
    labels = {
        "method": "GET",
        "path": template,
        "status_code": str(status),
        "app_name": "kerjasama",
    }
    return REGISTRY.get_sample_value("kerjasama_requests_total", labels) or 0.0


async def answered_by(
    counter: str, api: Api, path: str, headers: dict[str, str], *, fast: bool, method: str = "GET"
) -> httpx.Response:
    """The answer of the app as served, asserting whether the fast path `counter` counts gave it."""
    before = answers_counted(counter)
    answer = await api.client.request(method, path, headers=headers)
    assert answers_counted(counter) == before + (1 if fast else 0), (
        path,
        answer.status_code,
        answer.text,
    )
    return answer


async def answered(
    api: Api, path: str, headers: dict[str, str], *, fast: bool, method: str = "GET"
) -> httpx.Response:
    return await answered_by(FAST_READS, api, path, headers, fast=fast, method=method)


def stable(answer: httpx.Response) -> list[tuple[bytes, bytes]]:
    return [(name, b"" if name in PER_ANSWER else value) for name, value in answer.headers.raw]


async def test_the_fast_read_answers_what_the_route_answers(api: Api) -> None:
    proposal = await api.submit()
    path = f"/v1/proposals/{proposal['id']}"
    headers = {**api.auth("auditor"), "X-Request-ID": "same-request"}
    by_route = await answered(api, path, headers, fast=False)
    counted = requests_counted(200)
    fast = await answered(api, path, headers, fast=True)
    assert fast.status_code == by_route.status_code == 200
    assert fast.content == by_route.content
    assert fast.json() == proposal
    assert stable(fast) == stable(by_route)
    assert fast.headers["etag"] == '"2"'
    assert fast.headers["x-request-id"] == "same-request"
    assert requests_counted(200) == counted + 1


async def test_the_fast_read_logs_the_request_line_with_the_same_fields(api: Api) -> None:
    proposal = await api.submit()
    path = f"/v1/proposals/{proposal['id']}"
    lines = []
    for fast in (False, True):
        with structlog.testing.capture_logs() as logs:
            await answered(api, path, api.auth("reviewer"), fast=fast)
        [line] = [entry for entry in logs if entry["event"] == "request_handled"]
        lines.append(line)
    by_route, by_fast_read = lines
    assert by_route.keys() == by_fast_read.keys()
    assert {**by_fast_read, "duration_ms": 0} == {**by_route, "duration_ms": 0}
    assert by_fast_read["status"] == 200
    assert api.tokens["reviewer"] not in repr(lines)


async def test_a_token_the_cache_does_not_know_goes_to_the_route(api: Api) -> None:
    proposal = await api.submit()
    path = f"/v1/proposals/{proposal['id']}"
    unknown = {"Authorization": "Bearer ksj_" + "u" * 43}
    for _ in range(2):  # unknown, then known to be unknown: the route answers both
        answer = await answered(api, path, unknown, fast=False)
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.headers["www-authenticate"].startswith("Bearer")
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}):
        answer = await answered(api, path, headers, fast=False)
        assert answer.status_code == 401


@pytest.mark.parametrize(
    ("ask", "status"),
    [
        ("?version=1", 200),  # a query string: the route's time travel
        ("?as_of=2026-11-23T08:00:00", 400),
        ("?unknown=1", 200),
        ("/", 200),  # not the path's exact form: the route normalises it
    ],
)
async def test_anything_but_the_plain_path_goes_to_the_route(
    api: Api, ask: str, status: int
) -> None:
    proposal = await api.submit()
    headers = api.auth("auditor")
    path = f"/v1/proposals/{proposal['id']}"
    await answered(api, path, headers, fast=False)  # the token is cached from here on
    answer = await answered(api, path + ask, headers, fast=False)
    assert answer.status_code == status, answer.text
    if status >= 400:
        assert answer.headers["content-type"].startswith(PROBLEM)


async def test_head_and_an_unknown_proposal_go_to_the_route(api: Api) -> None:
    proposal = await api.submit()
    headers = api.auth("official")  # cached by the submission
    path = f"/v1/proposals/{proposal['id']}"
    head = await answered(api, path, headers, fast=False, method="HEAD")
    assert head.status_code == 405  # the route's own answer: it serves GET only
    missing = await answered(api, f"/v1/proposals/{uuid.uuid4()}", headers, fast=False)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
    assert (await answered(api, path, headers, fast=True)).status_code == 200


async def test_a_token_revoked_here_is_refused_at_once(api: Api) -> None:
    proposal = await api.submit()
    path = f"/v1/proposals/{proposal['id']}"
    headers = api.auth("admin")
    await answered(api, path, headers, fast=False)
    await answered(api, path, headers, fast=True)
    [record] = [t for t in await api.services.tokens.list() if t.name == "admin"]
    assert await api.services.tokens.revoke(record.token_id)
    answer = await answered(api, path, headers, fast=False)
    assert answer.status_code == 401


@pytest.mark.postgres
async def test_a_failed_read_goes_to_the_route(postgres_api: Api) -> None:
    """The hot-read pool's connections ended before it could notice: the fast read's fetch
    fails, and the route, reading through the engine's own pool, answers instead."""
    api = postgres_api
    proposal = await api.submit()
    path = f"/v1/proposals/{proposal['id']}"
    headers = api.auth("official")
    assert (await answered(api, path, headers, fast=True)).status_code == 200
    end_hot_reads_unnoticed(api.services.engine)
    answer = await answered(api, path, headers, fast=False)
    assert answer.status_code == 200
    assert answer.json() == proposal
    # The failure expired the pool's connections: the next fast read opens a new one.
    assert (await answered(api, path, headers, fast=True)).status_code == 200


@pytest.mark.postgres
async def test_the_fast_read_goes_on_after_every_connection_was_ended(postgres_api: Api) -> None:
    api = postgres_api
    proposal = await api.submit()
    path = f"/v1/proposals/{proposal['id']}"
    headers = api.auth("official")
    assert (await answered(api, path, headers, fast=True)).status_code == 200
    await end_every_connection(api.services.engine)
    # The first read may meet a lost connection in both pools (the engine's has no pre-ping,
    # by design: `events/engine.py`), and that read is then an outage, never a 500. Whichever
    # it met, the next read gets the proposal, fast, on a new connection.
    answer = await api.client.get(path, headers=headers)
    assert answer.status_code in (200, 503), answer.text
    if answer.status_code == 200:
        assert answer.json() == proposal
    assert (await answered(api, path, headers, fast=True)).json() == proposal


@pytest.mark.postgres
async def test_a_list_that_meets_a_lost_connection_is_an_outage_then_answers(
    postgres_api: Api,
) -> None:
    api = postgres_api
    await api.submit()
    headers = api.auth("auditor")
    assert (await api.client.get("/v1/proposals", headers=headers)).status_code == 200
    end_hot_reads_unnoticed(api.services.engine)
    first = await api.client.get("/v1/proposals", headers=headers)
    # Either asyncpg saw the end before the read (a new connection, 200) or the read met it.
    assert first.status_code in (200, 503), first.text
    if first.status_code == 503:
        assert first.headers["content-type"].startswith("application/problem+json")
    again = await api.client.get("/v1/proposals", headers=headers)
    assert again.status_code == 200
    assert len(again.json()["items"]) == 1


def end_hot_reads_unnoticed(engine: AsyncEngine) -> None:
    """End the hot-read pool's backends while this event loop is held up, so its connections
    learn of it only when next used (as when a restart races a request)."""
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def terminate() -> None:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = $1",
                HOT_READS_APPLICATION,
            )
        finally:
            await admin.close()

    worker = threading.Thread(target=asyncio.run, args=(terminate(),))
    worker.start()
    worker.join()


async def test_without_a_rate_limit_the_headers_are_identical_too(
    sqlite_databases: SqliteDatabases, tmp_path: Path
) -> None:
    settings = api_settings(sqlite_databases.clone(), tmp_path, rate_limit=None)
    async with running_api(settings) as api:
        proposal = await api.submit()
        path = f"/v1/proposals/{proposal['id']}"
        headers = {**api.auth("auditor"), "X-Request-ID": "same-request"}
        by_route = await answered(api, path, headers, fast=False)
        fast = await answered(api, path, headers, fast=True)
        assert fast.headers.raw == by_route.headers.raw
        assert fast.content == by_route.content


@pytest.mark.parametrize("limited", [3], indirect=True)  # requests a minute
async def test_both_paths_count_against_one_rate_limit(limited: Api) -> None:
    proposal: dict[str, Any] = await limited.submit()
    path = f"/v1/proposals/{proposal['id']}"
    headers = limited.auth("auditor")
    first = await answered(limited, path, headers, fast=False)
    second = await answered(limited, path, headers, fast=True)
    third = await answered(limited, path, headers, fast=True)
    remaining = [a.headers["ratelimit-remaining"] for a in (first, second, third)]
    assert remaining == ["2", "1", "0"]
    assert {a.headers["ratelimit-limit"] for a in (first, second, third)} == {"3"}
    refused = await answered(limited, path, headers, fast=False)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert refused.headers["retry-after"]
