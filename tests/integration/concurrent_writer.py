"""A writer process for the global-order test: appends concurrently and prints what it stored."""

from __future__ import annotations

import asyncio
import random
import sys

import msgspec

from events.engine import make_engine
from events.envelope import NewEvent
from events.sql import SqlEventStore
from tests.contract.toy_events import Deposited, ToyEvent, toy_codec


async def appender(store: SqlEventStore[ToyEvent], name: str, appends: int) -> list[str]:
    stored: list[str] = []
    rng = random.Random(name)
    for n in range(appends):
        events: list[NewEvent[ToyEvent]] = [
            NewEvent(Deposited(amount=n)) for _ in range(rng.randint(1, 3))
        ]
        await store.append(f"acct-{rng.randint(0, 20)}", events)
        stored.extend(str(event.event_id) for event in events)
    return stored


async def main(url: str, name: str, tasks: int, appends: int) -> None:
    engine = make_engine(url)
    store = SqlEventStore(engine, toy_codec())
    stored = await asyncio.gather(*[appender(store, f"{name}-{t}", appends) for t in range(tasks)])
    await engine.dispose()
    sys.stdout.buffer.write(msgspec.json.encode([i for ids in stored for i in ids]))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
