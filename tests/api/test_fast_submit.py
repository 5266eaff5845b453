"""The fast submission of `POST /v1/proposals`: the route's answer, or the route's own.

`api.routes` is the same app's Litestar without the fast answers in front, so each fast
submission is compared with the route's answer to the same request, on both backends. Two
submissions differ by design in their proposal id and times; nothing else may differ.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import msgspec
import pytest
import structlog
from litestar.types import ReceiveMessage
from sqlalchemy import text

from registry.api.fast_submit import read_body, replaying
from registry.ids import ProposalId, stream_id
from tests.api.conftest import Api, draft
from tests.api.test_fast_read import PROBLEM, answers_counted, stable

FAST_SUBMISSIONS = "kerjasama_fast_submissions_total"
SAME_IDS = {"X-Request-ID": "same-request", "X-Correlation-ID": "case-7", "X-Causation-ID": "c-1"}
# What two submissions of the same draft differ in by design.
PER_PROPOSAL = ("id", "submitted_at", "updated_at")


async def submitted(
    api: Api, *, fast: bool, body: Any = None, headers: dict[str, str] | None = None, **send: Any
) -> httpx.Response:
    """The app's answer as served, asserting whether the fast submission gave it."""
    before = answers_counted(FAST_SUBMISSIONS)
    if body is None and "content" not in send:
        body = draft()
    answer = await api.client.post(
        "/v1/proposals", json=body, headers={**api.auth("official"), **(headers or {})}, **send
    )
    assert answers_counted(FAST_SUBMISSIONS) == before + (1 if fast else 0), answer.text
    return answer


async def by_route(
    api: Api, *, body: Any = None, headers: dict[str, str] | None = None, **send: Any
) -> httpx.Response:
    if body is None and "content" not in send:
        body = draft()
    return await api.routes.post(
        "/v1/proposals", json=body, headers={**api.auth("official"), **(headers or {})}, **send
    )


def alike(answer: httpx.Response) -> dict[str, Any]:
    document: dict[str, Any] = answer.json()
    return {key: value for key, value in document.items() if key not in PER_PROPOSAL}


def header_names(answer: httpx.Response) -> list[bytes]:
    return [name for name, _ in stable(answer)]


@pytest.fixture
async def cached(api: Api) -> Api:
    """The official's token in the cache: the route looks it up on the first submission."""
    await submitted(api, fast=False)
    return api


async def events_of(api: Api, proposal_id: str) -> list[Any]:
    return await api.services.store.read_stream(stream_id(ProposalId(uuid.UUID(proposal_id))))


async def test_a_plain_submission_is_answered_as_the_route_answers_it(cached: Api) -> None:
    route = await by_route(cached, headers=SAME_IDS)
    fast = await submitted(cached, fast=True, headers=SAME_IDS)
    assert fast.status_code == route.status_code == 201
    assert alike(fast) == alike(route)
    assert header_names(fast) == header_names(route)
    for name in ("content-type", "etag", "x-request-id"):
        assert fast.headers[name] == route.headers[name]
    assert fast.headers["location"] == f"/v1/proposals/{fast.json()['id']}"
    # Read your writes: a GET at once shows at least the version answered.
    read = await cached.client.get(fast.headers["location"], headers=cached.auth("auditor"))
    assert read.status_code == 200
    assert read.json()["version"] >= fast.json()["version"]


async def test_its_events_carry_the_same_metadata_as_the_routes(cached: Api) -> None:
    route = await by_route(cached, headers=SAME_IDS)
    fast = await submitted(cached, fast=True, headers=SAME_IDS)
    route_events = await events_of(cached, route.json()["id"])
    fast_events = await events_of(cached, fast.json()["id"])
    assert [e.metadata for e in fast_events] == [e.metadata for e in route_events]
    assert [type(e.payload) for e in fast_events] == [type(e.payload) for e in route_events]
    assert fast_events[0].metadata.request_id == "same-request"
    assert fast_events[0].metadata.correlation_id == "case-7"


def _with(changes: dict[str, Any]) -> dict[str, Any]:
    return {**draft(), **changes}


REFUSED = [
    pytest.param({"content": b'{"title": '}, 400, id="not JSON"),
    pytest.param({"body": _with({"title": 5})}, 400, id="a field of the wrong type"),
    pytest.param({"body": _with({"sdg_targets": ["99.9"]})}, 422, id="an unknown SDG target"),
    pytest.param({"body": _with({"surprise": True})}, 400, id="an unknown field"),
    pytest.param({"body": _with({"summary": "x" * 2_000_000})}, 413, id="over the body limit"),
]


@pytest.mark.parametrize(("send", "status"), REFUSED)
async def test_a_draft_the_route_refuses_is_the_routes_problem(
    cached: Api, send: dict[str, Any], status: int
) -> None:
    route = await by_route(cached, headers=SAME_IDS, **send)
    fast = await submitted(cached, fast=False, headers=SAME_IDS, **send)
    assert fast.status_code == route.status_code == status
    assert fast.headers["content-type"].startswith(PROBLEM)
    assert fast.content == route.content


UNUSUAL = [
    pytest.param({"headers": {"Content-Type": "text/plain"}}, id="not declared JSON"),
    pytest.param({"headers": {"Idempotency-Key": "k-1"}}, id="an Idempotency-Key"),
    pytest.param({"params": {"x": "1"}}, id="a query string"),
]


@pytest.mark.parametrize("send", UNUSUAL)
async def test_anything_unusual_goes_to_the_route(cached: Api, send: dict[str, Any]) -> None:
    headers = {**SAME_IDS, **send.pop("headers", {})}
    content = msgspec.json.encode(draft())
    route = await by_route(cached, content=content, headers=headers, **send)
    fast = await submitted(cached, fast=False, content=content, headers=headers, **send)
    assert fast.status_code == route.status_code
    assert header_names(fast) == header_names(route)


@pytest.mark.parametrize("who", ["reviewer", "auditor", None, "unknown"])
async def test_callers_who_may_not_submit_get_the_routes_refusal(
    cached: Api, who: str | None
) -> None:
    headers = {} if who is None else {"Authorization": f"Bearer {cached.tokens.get(who, 'kjs_x')}"}
    if who is not None and who != "unknown":
        await cached.client.get("/v1/proposals", headers=headers)  # the cache knows the token
    before = answers_counted(FAST_SUBMISSIONS)
    fast = await cached.client.post("/v1/proposals", json=draft(), headers=headers)
    route = await cached.routes.post("/v1/proposals", json=draft(), headers=headers)
    assert answers_counted(FAST_SUBMISSIONS) == before
    assert fast.status_code == route.status_code
    assert fast.status_code in (401, 403)
    assert fast.json()["type"] == route.json()["type"]


async def test_a_failure_once_the_command_began_is_the_routes_answer_and_appends_nothing(
    cached: Api,
) -> None:
    """The log away: the route answers the fast path's failure; nothing is tried twice."""
    before = await cached.services.store.head_position()
    async with cached.services.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE events RENAME TO events_away"))
    try:
        route = await by_route(cached, headers=SAME_IDS)
        with structlog.testing.capture_logs() as logs:
            fast = await submitted(cached, fast=False, headers=SAME_IDS)
    finally:
        async with cached.services.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE events_away RENAME TO events"))
    assert fast.status_code == route.status_code
    assert fast.status_code >= 500
    assert fast.headers["content-type"].startswith(PROBLEM)
    assert fast.json()["type"] == route.json()["type"]
    assert fast.headers["x-request-id"] == "same-request"
    # The route raised the fast path's own failure: it did not run the command a second time.
    [failed] = [entry for entry in logs if entry["event"] == "request_failed"]
    assert "raise_handed_over" in failed["traceback"]
    assert "fast_submit.py" in failed["traceback"]
    assert await cached.services.store.head_position() == before
    again = await submitted(cached, fast=True)
    assert again.status_code == 201


async def test_a_fast_submission_logs_the_routes_request_line(cached: Api) -> None:
    lines = []
    for fast in (False, True):
        with structlog.testing.capture_logs() as logs:
            if fast:
                await submitted(cached, fast=True, headers=SAME_IDS)
            else:
                await by_route(cached, headers=SAME_IDS)
        [line] = [entry for entry in logs if entry["event"] == "request_handled"]
        lines.append(line)
    route, fast_line = lines
    assert {**fast_line, "duration_ms": 0} == {**route, "duration_ms": 0}
    assert cached.tokens["official"] not in repr(lines)


@pytest.mark.parametrize("limited", [3], indirect=True)  # requests a minute
async def test_fast_submissions_count_against_the_tokens_rate_limit(limited: Api) -> None:
    first = await submitted(limited, fast=False)
    second = await submitted(limited, fast=True)
    assert first.headers["ratelimit-remaining"] == "2"
    assert second.headers["ratelimit-remaining"] == "1"
    assert header_names(second) == header_names(first)
    await submitted(limited, fast=True)
    refused = await submitted(limited, fast=False)
    assert refused.status_code == 429


def receiving(*messages: ReceiveMessage) -> Any:
    queue = list(messages)

    async def receive() -> ReceiveMessage:
        return queue.pop(0)

    return receive


def chunk(body: bytes, more: bool) -> ReceiveMessage:
    return {"type": "http.request", "body": body, "more_body": more}


async def test_a_body_in_chunks_is_read_whole() -> None:
    parts = receiving(chunk(b'{"a":', True), chunk(b"", True), chunk(b"1}", False))
    assert await read_body(parts, 5.0, 100) == (b'{"a":1}', False, None)


async def test_reading_stops_past_the_limit_and_at_a_disconnect() -> None:
    disconnect: ReceiveMessage = {"type": "http.disconnect"}
    too_long = receiving(chunk(b"12345", True), chunk(b"67890", True))
    assert await read_body(too_long, 5.0, 8) == (b"1234567890", True, None)
    gone = receiving(chunk(b"12", True), disconnect)
    assert await read_body(gone, 5.0, 100) == (b"12", True, disconnect)


async def test_what_was_read_is_replayed_to_litestar_before_the_rest() -> None:
    disconnect: ReceiveMessage = {"type": "http.disconnect"}
    replay = replaying(b"part", True, disconnect, receiving(chunk(b"rest", False)))
    assert await replay() == chunk(b"part", True)
    assert await replay() == disconnect
    assert await replay() == chunk(b"rest", False)
