"""Crash safety: SIGKILL the server under load, again and again; nothing acknowledged is lost.

Clients submit, review and revise concurrently while the server is killed at random moments
and started again on the same database. Afterwards the log holds every command that was
answered 2xx, none that was refused, no half of any command; the hash chain verifies, and the
read models equal a rebuild from the log.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

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

KILLS = 3
# Load between kills, in seconds: long enough for commands to be in flight at every kill.
LOAD_BEFORE_KILL = (0.6, 1.6)
DOWN_FOR = (0.0, 0.3)
LOAD_AFTER_LAST_START = 1.0
TIME_LIMIT = 150  # seconds; a run takes 20 to 30 s, more on a busy machine


async def test_nothing_acknowledged_is_lost_when_the_server_is_killed(
    database_url: str, tmp_path: Path
) -> None:
    with noting_seed("crash test"):
        started = time.monotonic()
        server = KillableServer(database_url, tmp_path)
        clients, log, found = await kill_under_load(server, random.Random(SEED))
        summary = f"seed {SEED}, {KILLS} kills, " + describe(clients.ledger, log)
        summary += f", {time.monotonic() - started:.1f} s; server log: {server.log}"
        print(summary)
        assert not found, f"{summary}\n" + "\n".join(found[:20])
        assert server.starts == KILLS + 1
        # It proves something only if commands were acknowledged between the kills.
        assert clients.ledger.count(lambda a: a.acknowledged) >= 10, summary
        assert clients.ledger.count(lambda a: a.status == 500) == 0, summary


async def kill_under_load(
    server: KillableServer, rng: random.Random
) -> tuple[Fleet, list[Event], list[str]]:
    """Run the clients across the kills; then read the log and check it: (fleet, log, faults)."""
    await asyncio.to_thread(server.start)
    try:
        async with asyncio.timeout(TIME_LIMIT), http_client(server.url) as http:
            clients = await fleet(http, server.database_url, rng)
            async with running(clients):
                for _ in range(KILLS):
                    await asyncio.sleep(rng.uniform(*LOAD_BEFORE_KILL))
                    server.kill()
                    await asyncio.sleep(rng.uniform(*DOWN_FOR))
                    await asyncio.to_thread(server.start)
                await asyncio.sleep(LOAD_AFTER_LAST_START)
            await wait_until_projected(http, within=30)
            log = await read_log(http, clients.auditor)
            found = violations(clients.ledger, log)
            found += await audit(http, clients.auditor, len(log))
            found += await shown_versions(http, clients.auditor, log)
            return clients, log, found
    finally:
        server.stop()
