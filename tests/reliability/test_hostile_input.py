"""Hostile clients: oversized bodies, floods from one token, and slow (slowloris) connections.

Malformed bodies (deep nesting, invalid UTF-8, truncation) are covered beside the other
command tests in tests/api/test_commands.py. None of this depends on the database, so these
tests run on SQLite alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx
import pytest
from litestar import Request

from registry.api.throttling import identify
from registry.settings import RateLimit, Settings, parse_rate_limit
from tests.api.conftest import Api, draft, running_api
from tests.databases import SqliteDatabases
from tests.e2e.conftest import free_port, wait_until_healthy

if TYPE_CHECKING:
    from litestar.types import HTTPScope

PROBLEM_JSON = "application/problem+json"


def assert_problem(answer: httpx.Response, status: int, type_: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status
    assert problem["type"] == type_
    return problem


@pytest.fixture
async def limited_api(sqlite_databases: SqliteDatabases, tmp_path: Path) -> AsyncIterator[Api]:
    """Five requests a minute per token, and bodies of at most 20 000 bytes."""
    settings = Settings(
        database_url=sqlite_databases.clone(),
        signing_key_file=str(tmp_path / "signing-key.pem"),
        rate_limit=RateLimit(5, "minute"),
        max_payload_bytes=20_000,
    )
    async with running_api(settings) as api:
        yield api


# --- bodies over the size limit -----------------------------------------------------------


async def test_a_body_over_the_limit_is_a_413_that_names_the_limit(limited_api: Api) -> None:
    body = draft(summary="x" * 20_000)
    answer = await limited_api.client.post(
        "/v1/proposals", json=body, headers=limited_api.auth("official")
    )
    problem = assert_problem(answer, 413, "/problems/payload-too-large")
    assert "20000 bytes" in problem["detail"]
    assert await limited_api.services.store.head_position() == 0


async def test_a_chunked_body_without_length_is_cut_off_at_the_limit_too(
    limited_api: Api,
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"title": "'
        for _ in range(100):  # 100 kB in all, five times the limit
            sent += 1
            yield b"x" * 1000

    answer = await limited_api.client.post(
        "/v1/proposals",
        content=chunks(),
        headers={**limited_api.auth("official"), "Content-Type": "application/json"},
    )
    assert_problem(answer, 413, "/problems/payload-too-large")
    assert await limited_api.services.store.head_position() == 0


async def test_a_body_under_the_limit_is_still_accepted(limited_api: Api) -> None:
    proposal = await limited_api.submit()
    assert proposal["version"] == 2


# --- a flood from one token ---------------------------------------------------------------


async def test_a_flood_from_one_token_is_refused_with_429_and_retry_after(
    limited_api: Api,
) -> None:
    answers = await asyncio.gather(
        *(
            limited_api.client.get("/v1/stats/sdgs", headers=limited_api.auth("auditor"))
            for _ in range(20)
        )
    )
    assert Counter(a.status_code for a in answers) == {200: 5, 429: 15}
    refused = next(a for a in answers if a.status_code == 429)
    problem = assert_problem(refused, 429, "/problems/rate-limited")
    assert "5 requests in 60 s" in problem["detail"]
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert problem["retry_after"] == retry_after
    assert refused.headers["ratelimit-limit"] == "5"
    # Another token has its own allowance; probes and metrics have none to exhaust.
    other = await limited_api.client.get("/v1/stats/sdgs", headers=limited_api.auth("admin"))
    assert other.status_code == 200
    for path in ("/health", "/ready", "/metrics"):
        for _ in range(8):
            assert (await limited_api.client.get(path)).status_code == 200, path


async def test_the_limit_lifts_after_retry_after(
    sqlite_databases: SqliteDatabases, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=sqlite_databases.clone(),
        signing_key_file=str(tmp_path / "signing-key.pem"),
        rate_limit=RateLimit(3, "second"),
    )
    async with running_api(settings) as api:
        headers = api.auth("auditor")
        answers = [await api.client.get("/v1/stats/sdgs", headers=headers) for _ in range(6)]
        refused = [a for a in answers if a.status_code == 429]
        assert refused, [a.status_code for a in answers]
        await asyncio.sleep(int(refused[-1].headers["retry-after"]))
        assert (await api.client.get("/v1/stats/sdgs", headers=headers)).status_code == 200


def test_the_limiter_keys_on_the_tokens_hash_never_the_token() -> None:
    secret = "ksj_" + "s" * 43

    def request(authorization: str | None) -> Request[Any, Any, Any]:
        headers = [(b"authorization", authorization.encode())] if authorization else []
        return Request(
            cast("HTTPScope", {"type": "http", "headers": headers, "client": ("10.0.0.7", 5000)})
        )

    key = identify(request(f"Bearer {secret}"))
    assert secret not in key
    assert key == identify(request(f"bearer  {secret} "))
    assert key != identify(request("Bearer ksj_" + "t" * 43))
    assert identify(request(None)) == "address:10.0.0.7"


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("200/second", RateLimit(200, "second")),
        (" 600 / minute", RateLimit(600, "minute")),
        ("off", None),
        ("0", None),
    ],
)
def test_rate_limit_setting(text: str, limit: RateLimit | None) -> None:
    assert parse_rate_limit(text) == limit
    assert Settings.from_env({"KERJASAMA_RATE_LIMIT": text}).rate_limit == limit


@pytest.mark.parametrize("text", ["200", "200/fortnight", "-5/second", "lots"])
def test_a_malformed_rate_limit_setting_is_refused_at_start(text: str) -> None:
    with pytest.raises(ValueError, match="KERJASAMA_RATE_LIMIT"):
        Settings.from_env({"KERJASAMA_RATE_LIMIT": text})


async def test_the_openapi_documents_429_on_every_limited_route(api_document: Any) -> None:
    for path, item in api_document["paths"].items():
        for method, operation in item.items():
            documented = operation["responses"]
            if path in {"/health", "/ready", "/metrics"}:
                assert "429" not in documented, (method, path)
                continue
            assert "429" in documented, (method, path)
            assert PROBLEM_JSON in documented["429"]["content"], (method, path)


@pytest.fixture
async def api_document(limited_api: Api) -> Any:
    return (await limited_api.client.get("/schema/openapi.json")).json()


# --- slow clients on the real server ------------------------------------------------------

HEAD_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
SLOW_CLIENTS = 50
# Far beyond the ~5 ms that the same request takes when nothing else is going on, and still
# far below the timeouts: a stalled server could not pass it.
PROMPT_SECONDS = 1.0


@pytest.fixture
def slow_aware_server(sqlite_databases: SqliteDatabases, tmp_path: Path) -> Iterator[str]:
    """`kerjasama serve` (granian) with two-second limits for request heads and bodies."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "KERJASAMA_DATABASE_URL": sqlite_databases.clone(),
        "KERJASAMA_HEADER_TIMEOUT": str(HEAD_TIMEOUT),
        "KERJASAMA_BODY_TIMEOUT": str(BODY_TIMEOUT),
    }
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "registry.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


async def drip(port: int, data: bytes, every: float, at_once: bytes = b"") -> tuple[float, bytes]:
    """Send `at_once`, then `data` a byte at a time, until the server hangs up.

    How long that took, and what the server said before it did.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()

    async def send() -> None:
        with contextlib.suppress(ConnectionError):
            writer.write(at_once)
            for byte in data:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(every)

    sending = asyncio.create_task(send())
    answer = b""
    try:
        async with asyncio.timeout(10):
            while chunk := await reader.read(65536):
                answer += chunk
    except ConnectionError:
        pass  # a reset after the answer: the server closed on bytes it will never read
    finally:
        sending.cancel()
        writer.close()
    return time.monotonic() - started, answer


async def test_slow_clients_neither_stall_others_nor_hold_on_forever(
    slow_aware_server: str,
) -> None:
    port = int(slow_aware_server.rsplit(":", 1)[1])
    head = b"GET /v1/reference/fields HTTP/1.1\r\nHost: kerjasama\r\nX-Pad: " + b"p" * 100
    body_head = (
        b"POST /v1/proposals HTTP/1.1\r\nHost: kerjasama\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer ksj_unknown\r\nContent-Length: 5000\r\n\r\n"
    )
    heads = [asyncio.create_task(drip(port, head, every=0.1)) for _ in range(SLOW_CLIENTS)]
    stalled_body = asyncio.create_task(drip(port, b"", 0, at_once=body_head + b'{"title": "'))
    dripped_body = asyncio.create_task(drip(port, b"y" * 100, every=0.1, at_once=body_head))
    await asyncio.sleep(0.3)  # every slow client is connected and dripping
    async with httpx.AsyncClient(base_url=slow_aware_server, timeout=5) as client:
        for path in ("/health", "/v1/reference/fields", "/v1/reference/principles"):
            started = time.monotonic()
            answer = await client.get(path)
            took = time.monotonic() - started
            print(f"\n{path} beside {SLOW_CLIENTS} slow clients: {took * 1000:.0f} ms")
            assert answer.status_code == 200, path
            assert took < PROMPT_SECONDS, (path, took)
    cut = await asyncio.gather(*heads)
    print(f"slow heads cut off after {min(c[0] for c in cut):.1f}-{max(c[0] for c in cut):.1f} s")
    for seconds, said in cut:
        # Granian hangs up on a head that is not complete in time, without an answer.
        assert said == b"", said[:200]
        assert seconds < HEAD_TIMEOUT + 2, seconds
    bodies = await asyncio.gather(stalled_body, dripped_body)
    print(f"stalled and dripped bodies answered 408 after {[round(b[0], 1) for b in bodies]} s")
    for seconds, said in bodies:
        assert said.startswith(b"HTTP/1.1 408 "), said[:200]
        assert b"application/problem+json" in said
        assert b"/problems/body-timeout" in said
        assert seconds < BODY_TIMEOUT + 2, seconds
