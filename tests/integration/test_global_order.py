"""Readers never see a gap: concurrent writer processes, one tailing reader, every event once."""

from __future__ import annotations

import asyncio
import sys

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from events.sql import SqlEventStore
from tests.contract.toy_events import toy_codec

WRITER_PROCESSES = 4
TASKS_PER_PROCESS = 8
APPENDS_PER_TASK = 20


async def run_writer(url: str, name: str) -> list[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.concurrent_writer",
        url,
        name,
        str(TASKS_PER_PROCESS),
        str(APPENDS_PER_TASK),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    return msgspec.json.decode(out, type=list[str])


async def test_a_tailing_reader_sees_every_event_once_in_order_without_gaps(
    engine: AsyncEngine, database_url: str
) -> None:
    store = SqlEventStore(engine, toy_codec())
    writers = asyncio.gather(*[run_writer(database_url, f"w{n}") for n in range(WRITER_PROCESSES)])
    seen: list[str] = []
    last = 0
    while True:
        writers_done = writers.done()
        async for event in store.read_all(after_position=last):
            # The property under test: the next event a reader sees is always the very next
            # position. A store with sequence gaps would let position n+1 commit after n+2.
            assert event.position == last + 1, f"saw {event.position} right after {last}"
            last = event.position
            seen.append(str(event.event_id))
        if writers_done:
            break
        await asyncio.sleep(0.005)
    written = [event_id for ids in await writers for event_id in ids]
    assert len(seen) == len(written)
    assert sorted(seen) == sorted(written)
    assert (await store.verify()).ok
