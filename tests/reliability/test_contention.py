"""Optimistic concurrency under load: many writers, one proposal, no version lost or doubled.

Every command here records a legal approval on an approved proposal: the lifecycle allows it
any number of times and it appends exactly one event, so versions map one-to-one to wins.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.settings import Settings
from tests.api.conftest import Api, draft, running_api
from tests.e2e.conftest import Server

SAME_VERSION_WRITERS = 250
ROUND_WRITERS = 30
# Under the default rate limit (200 a second per token) with room for the setup's requests.
SOCKET_WRITERS = 150
SOCKET_CONNECTIONS = 50
# Submission and assessment, then the approving review: the stream stands at version 3.
APPROVED_VERSION = 3


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    """The API harness without a rate limit: one token sends hundreds of requests at once."""
    settings = Settings(
        database_url=database_url,
        signing_key_file=str(tmp_path / "signing-key.pem"),
        rate_limit=None,
    )
    async with running_api(settings) as api:
        yield api


async def approved_proposal(api: Api) -> dict[str, Any]:
    proposal = await api.submit()
    answer = await api.command("reviewer", proposal, "reviews", {"decision": "approve"})
    assert answer.status_code == 200, answer.text
    approved: dict[str, Any] = answer.json()
    assert approved["version"] == APPROVED_VERSION
    return approved


async def record_approval(api: Api, proposal_id: str, writer: int, version: int) -> httpx.Response:
    return await api.client.post(
        f"/v1/proposals/{proposal_id}/legal-approvals",
        json={"authority": "dprd", "reference": f"writer-{writer}", "date": "2026-12-01"},
        headers={**api.auth("official"), "If-Match": f'"{version}"'},
    )


async def stream_of(api: Api, proposal_id: str) -> list[dict[str, Any]]:
    answer = await api.client.get(
        f"/v1/proposals/{proposal_id}/events", headers=api.auth("auditor")
    )
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()
    return events


def assert_contiguous(events: list[dict[str, Any]]) -> None:
    versions = [event["version"] for event in events]
    assert versions == list(range(1, len(events) + 1)), versions


async def test_many_writers_on_one_version_exactly_one_wins(api: Api) -> None:
    proposal = await approved_proposal(api)
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(
            record_approval(api, proposal["id"], writer, APPROVED_VERSION)
            for writer in range(SAME_VERSION_WRITERS)
        )
    )
    took = time.perf_counter() - started
    statuses = Counter(answer.status_code for answer in answers)
    print(f"\n{SAME_VERSION_WRITERS} writers on one version: {dict(statuses)} in {took:.1f} s")
    assert statuses == {200: 1, 412: SAME_VERSION_WRITERS - 1}, statuses
    for answer in answers:
        if answer.status_code == 412:
            assert answer.headers["content-type"].startswith("application/problem+json")
            problem = answer.json()
            assert problem["type"] == "/problems/version-conflict"
            assert problem["current_version"] == APPROVED_VERSION + 1
    winner = next(answer for answer in answers if answer.status_code == 200)
    assert winner.headers["etag"] == f'"{APPROVED_VERSION + 1}"'
    events = await stream_of(api, proposal["id"])
    assert_contiguous(events)
    assert len(events) == APPROVED_VERSION + statuses[200]
    assert events[-1]["data"]["reference"] == winner.json()["legal_approvals"][-1]["reference"]


async def test_writers_that_reread_and_retry_each_win_once_in_some_order(api: Api) -> None:
    """Rounds of contention: every writer retries on 412 with the fresh ETag until it wins."""
    proposal = await approved_proposal(api)
    refusals = Counter[int]()

    async def write_until_won(writer: int) -> int:
        version = APPROVED_VERSION
        while True:
            answer = await record_approval(api, proposal["id"], writer, version)
            if answer.status_code == 200:
                return int(answer.json()["version"])
            assert answer.status_code == 412, answer.text
            refusals[writer] += 1
            # The 412 names the current version; a client may equally GET the proposal.
            version = int(answer.headers["etag"].strip('"'))

    started = time.perf_counter()
    won_at = await asyncio.gather(*(write_until_won(w) for w in range(ROUND_WRITERS)))
    print(
        f"\n{ROUND_WRITERS} writers retrying until each won: {ROUND_WRITERS} wins, "
        f"{sum(refusals.values())} refusals (412) in {time.perf_counter() - started:.1f} s"
    )
    expected = list(range(APPROVED_VERSION + 1, APPROVED_VERSION + ROUND_WRITERS + 1))
    assert sorted(won_at) == expected
    events = await stream_of(api, proposal["id"])
    assert_contiguous(events)
    assert len(events) == APPROVED_VERSION + ROUND_WRITERS
    references = [event["data"]["reference"] for event in events[APPROVED_VERSION:]]
    assert sorted(references) == sorted(f"writer-{w}" for w in range(ROUND_WRITERS))
    for writer, version in enumerate(won_at):
        assert events[version - 1]["data"]["reference"] == f"writer-{writer}"
    assert sum(refusals.values()) > 0  # there was contention to survive


async def test_many_writers_over_sockets_on_the_real_server(server: Server) -> None:
    """The same race through `kerjasama serve` (granian) over many TCP connections at once."""
    official = {"Authorization": f"Bearer {server.token('official', '36.71')}"}
    reviewer = {"Authorization": f"Bearer {server.token('reviewer', '32.73')}"}
    limits = httpx.Limits(max_connections=SOCKET_CONNECTIONS)
    async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as client:
        created = await client.post("/v1/proposals", json=draft(), headers=official)
        approved = await client.post(
            f"{created.headers['location']}/reviews",
            json={"decision": "approve"},
            headers={**reviewer, "If-Match": created.headers["etag"]},
        )
        assert approved.status_code == 200, approved.text
        path = f"{created.headers['location']}/legal-approvals"
        answers = await asyncio.gather(
            *(
                client.post(
                    path,
                    json={"authority": "dprd", "reference": f"writer-{n}", "date": "2026-12-01"},
                    headers={**official, "If-Match": approved.headers["etag"]},
                )
                for n in range(SOCKET_WRITERS)
            )
        )
        statuses = Counter(a.status_code for a in answers)
        print(f"\n{SOCKET_WRITERS} writers over {SOCKET_CONNECTIONS} sockets: {dict(statuses)}")
        assert statuses == {200: 1, 412: SOCKET_WRITERS - 1}
        assert all(
            a.headers["content-type"].startswith("application/problem+json")
            for a in answers
            if a.status_code == 412
        )
        events = (
            await client.get(f"{created.headers['location']}/events", headers=official)
        ).json()
    assert [e["version"] for e in events] == list(range(1, APPROVED_VERSION + 2))
