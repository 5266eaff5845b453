"""What the fault tests share: the seed, the clients' tokens, running clients beside a fault."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx

from registry.facts import Role
from tests.reliability.killable import create_tokens
from tests.reliability.workload import Client, Ledger

# Fixed so that a failure can be run again with the same kills and the same workload (the
# scheduling of the processes still varies); KERJASAMA_FAULT_SEED tries another.
SEED = int(os.environ.get("KERJASAMA_FAULT_SEED", "20261123"))
REGIONS = ("36.71", "36.74")  # Kota Tangerang and Kota Tangerang Selatan, partners of Surabaya
REVIEWER_REGION = "32.73"  # Kota Bandung: a party to none of these proposals
CLIENTS = 4
REQUEST_TIMEOUT = 15.0


@dataclass
class Fleet:
    """The clients, their ledger, and an auditor's headers for reading the log afterwards."""

    clients: list[Client]
    auditor: dict[str, str]
    ledger: Ledger
    stop: asyncio.Event = field(default_factory=asyncio.Event)


async def fleet(http: httpx.AsyncClient, database_url: str, rng: random.Random) -> Fleet:
    wanted: list[tuple[Role, str | None]] = [(Role.AUDITOR, None)]
    for index in range(CLIENTS):
        wanted += [(Role.OFFICIAL, REGIONS[index % 2]), (Role.REVIEWER, REVIEWER_REGION)]
    tokens = await create_tokens(database_url, wanted)
    ledger = Ledger()
    clients = [
        Client(
            http,
            official=tokens[1 + 2 * index],
            reviewer=tokens[2 + 2 * index],
            region=REGIONS[index % 2],
            rng=random.Random(rng.random()),
            ledger=ledger,
        )
        for index in range(CLIENTS)
    ]
    return Fleet(clients, {"Authorization": f"Bearer {tokens[0]}"}, ledger)


@contextlib.asynccontextmanager
async def running(fleet: Fleet) -> AsyncIterator[None]:
    """The clients work while the body runs; they finish their request in flight and stop."""
    tasks = [asyncio.create_task(client.run(fleet.stop)) for client in fleet.clients]
    try:
        yield
    finally:
        fleet.stop.set()
        await asyncio.gather(*tasks)


@contextlib.contextmanager
def noting_seed(what: str) -> Iterator[None]:
    """Any failure, an assertion or a time-out alike, names the seed to run it again with."""
    try:
        yield
    except BaseException as failure:
        failure.add_note(f"{what}: seed {SEED}; run again with KERJASAMA_FAULT_SEED={SEED}")
        raise


def http_client(url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=2 * CLIENTS)
    return httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, limits=limits)
