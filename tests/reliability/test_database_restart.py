"""The database goes away under load and comes back: 503s meanwhile, then recovery by itself.

A PostgreSQL cluster of the test's own is stopped (`pg_ctl stop -m immediate`, a crash) while
clients submit, review and revise, and started again. While it is away every command is
answered 503 problem+json with Retry-After and /ready is 503; once it is back the same server
process (no restart) answers 2xx again, /ready is 200, the projector has caught up, and the log
holds every acknowledged command and nothing of a refused one.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import msgspec
import pytest

from tests.conftest import IN_CI
from tests.reliability.faults import SEED, Fleet, fleet, http_client, noting_seed, running
from tests.reliability.killable import KillableServer
from tests.reliability.log_check import (
    Event,
    audit,
    describe,
    read_log,
    shown_versions,
    violations,
    wait_until_projected,
)
from tests.reliability.private_postgres import PrivateCluster, postgres_bindir
from tests.reliability.workload import DATABASE_UNAVAILABLE, OUTCOME_UNKNOWN, Ledger
from tests.unit.builders import terms

LOAD_BEFORE = 1.0
AWAY_FOR = 2.5
LOAD_AFTER = 1.0
RECOVERY_LIMIT = 20.0  # seconds from the database's return to answers and readiness
TIME_LIMIT = 120
SETTLE = 0.5  # seconds after the stop from which every answer must be the outage's
PROBLEM_JSON = "application/problem+json"
AWAY_PROBLEMS = {DATABASE_UNAVAILABLE, OUTCOME_UNKNOWN}

pytestmark = pytest.mark.postgres


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    bindir = postgres_bindir()
    if bindir is None:
        if IN_CI:
            pytest.fail("CI=true but no PostgreSQL programs (initdb, pg_ctl) are installed")
        pytest.skip("no PostgreSQL programs (initdb, pg_ctl) to run a private cluster with")
    cluster = PrivateCluster(bindir)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@dataclass
class Readiness:
    """/ready asked every tenth of a second: (when, status, Retry-After)."""

    http: httpx.AsyncClient
    answers: list[tuple[float, int, str | None]] = field(default_factory=list)

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(httpx.TransportError):
                answer = await self.http.get("/ready")
                self.answers.append(
                    (time.monotonic(), answer.status_code, answer.headers.get("retry-after"))
                )
            await asyncio.sleep(0.1)

    def between(self, start: float, end: float) -> list[tuple[float, int, str | None]]:
        return [answer for answer in self.answers if start <= answer[0] < end]


@contextlib.asynccontextmanager
async def watching(readiness: Readiness) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(readiness.watch(stop))
    try:
        yield
    finally:
        stop.set()
        await task


@dataclass
class Outage:
    """When the database went away and came back (time.monotonic()), and what was seen."""

    away: float = 0.0  # `pg_ctl stop -m immediate` has returned
    back: float = 0.0  # `pg_ctl start` is called
    up: float = 0.0  # `pg_ctl start` has returned
    refused: httpx.Response | None = None  # a submission sent while it was away
    ready_after: float = 0.0  # seconds from `back` to /ready 200
    answering_after: float = 0.0  # seconds from `back` to the first acknowledged command


async def test_the_server_rides_out_a_database_restart(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    with noting_seed("database restart test"):
        server = KillableServer(private_postgres.url, tmp_path)
        outage = Outage()
        clients, readiness, log, found = await restart_under_load(
            server, private_postgres, outage, random.Random(SEED)
        )
        ledger = clients.ledger
        # Answers from a moment after the stop: one in flight then may have read the database.
        settled = outage.away + SETTLE
        while_away = [a for a in ledger.attempts if settled <= a.answered_at < outage.back]
        summary = (
            f"seed {SEED}: database away {outage.back - outage.away:.1f} s; "
            f"{describe(ledger, log)}; {len(while_away)} commands answered while away; "
            f"/ready 200 again {outage.ready_after:.2f} s and commands 2xx again "
            f"{outage.answering_after:.2f} s after `pg_ctl start` was called "
            f"({outage.up - outage.back:.2f} s until it returned); server log: {server.log}"
        )
        print(summary)
        assert not found, f"{summary}\n" + "\n".join(found[:20])
        refused = outage.refused
        assert refused is not None
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM_JSON)
        assert refused.json()["type"] == DATABASE_UNAVAILABLE
        assert int(refused.headers["retry-after"]) > 0
        # While away: 503 problem+json with Retry-After, never a 500. A 2xx only for a command
        # that committed before and was answered late; `violations` has checked it is kept.
        assert any(a.status == 503 for a in while_away), summary
        for attempt in while_away:
            if not attempt.acknowledged:
                assert attempt.status == 503, attempt
                assert attempt.problem in AWAY_PROBLEMS, attempt
                assert attempt.retry_after, attempt
        assert ledger.count(lambda a: a.status == 500) == 0, summary
        readiness_away = readiness.between(settled, outage.back)
        assert readiness_away, "/ready was not asked while the database was away"
        assert all(status == 503 and retry for _, status, retry in readiness_away), readiness_away
        # Recovered by itself: the one server process started at the beginning answers again.
        assert server.starts == 1


async def restart_under_load(
    server: KillableServer, cluster: PrivateCluster, outage: Outage, rng: random.Random
) -> tuple[Fleet, Readiness, list[Event], list[str]]:
    """Clients and a /ready watcher across the restart; then the log, checked."""
    await asyncio.to_thread(server.start)
    try:
        async with asyncio.timeout(TIME_LIMIT), http_client(server.url) as http:
            clients = await fleet(http, cluster.url, rng)
            readiness = Readiness(http)
            async with running(clients), watching(readiness):
                await asyncio.sleep(LOAD_BEFORE)
                await asyncio.to_thread(cluster.stop)
                outage.away = time.monotonic()
                await asyncio.sleep(AWAY_FOR / 2)
                outage.refused = await submit_once(http, clients.clients[0].official)
                await asyncio.sleep(AWAY_FOR / 2)
                outage.back = time.monotonic()
                await asyncio.to_thread(cluster.start)
                outage.up = time.monotonic()
                await recovery(readiness, clients.ledger, outage)
                await asyncio.sleep(LOAD_AFTER)
            await wait_until_projected(http, within=30)
            log = await read_log(http, clients.auditor)
            found = violations(clients.ledger, log)
            found += await audit(http, clients.auditor, len(log))
            found += await shown_versions(http, clients.auditor, log)
            return clients, readiness, log, found
    finally:
        server.stop()


async def submit_once(http: httpx.AsyncClient, official: dict[str, str]) -> httpx.Response:
    body = msgspec.to_builtins(terms())
    return await http.post("/v1/proposals", json=body, headers=official)


async def recovery(readiness: Readiness, ledger: Ledger, outage: Outage) -> None:
    """Wait for /ready 200 and an acknowledged command after the database's return."""
    back = outage.back
    deadline = back + RECOVERY_LIMIT
    while time.monotonic() < deadline:
        ready = [at for at, status, _ in readiness.answers if at > back and status == 200]
        acked = [a.answered_at for a in ledger.attempts if a.acknowledged and a.answered_at > back]
        if ready and acked:
            outage.ready_after, outage.answering_after = ready[0] - back, acked[0] - back
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no recovery within {RECOVERY_LIMIT} s of the database's return")
