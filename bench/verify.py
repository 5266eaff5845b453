"""Audit throughput over a large log: chain verification, Merkle tree heads, proofs, bundles.

Each figure stands beside a baseline measured in the same run over the same rows: the same
reads with one plain hashlib SHA-256 per event (or per leaf, or per bundle line), which is the
least any check of those bytes could cost. Every phase runs in a fresh process, so its peak
RSS is its own: a bounded-memory check shows the same peak at any log size.

Run: `.venv/bin/python -m bench.verify [--events 1000000] [--backend postgresql|sqlite]`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import msgspec

from bench.common import database, migrated, row
from events.codec import Codec
from events.engine import make_engine
from events.envelope import NewEvent
from events.sql import SqlEventStore
from registry.audit.bundle import write_bundle
from registry.audit.check import check_bundle
from registry.audit.leaves import leaf_pages
from registry.audit.proofs import AuditTrail

NOTE = "Pelatihan city branding untuk aparatur Kota Tangerang Selatan, 2027"
WRITERS, PER_APPEND = 16, 250


class Measured(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag=True):
    amount: int
    note: str


CODEC: Codec[Measured] = Codec([Measured])


async def load(url: str, events: int) -> float:
    """Appends of PER_APPEND events from WRITERS concurrent writers; returns events/s."""
    engine = make_engine(url, pool_size=WRITERS + 2)
    store = SqlEventStore(engine, CODEC)
    appends = -(-events // PER_APPEND)
    started = time.perf_counter()

    async def writer(number: int) -> None:
        for append in range(number, appends, WRITERS):
            count = min(PER_APPEND, events - append * PER_APPEND)
            batch = [
                NewEvent(Measured(amount=append * PER_APPEND + i, note=NOTE)) for i in range(count)
            ]
            await store.append(f"bench-{number}-{append % 50}", batch)

    await asyncio.gather(*(writer(number) for number in range(WRITERS)))
    rate = events / (time.perf_counter() - started)
    await engine.dispose()
    return rate


# ---- the phases, each run in a process of its own: (url, events, work dir) -> events handled


async def _read_and_sha(store: SqlEventStore[Measured]) -> int:
    count = 0
    async for page in store.read_rows():
        for stored in page:
            hashlib.sha256(bytes(stored[6]) + bytes(stored[7])).digest()
        count += len(page)
    return count


async def _verify(store: SqlEventStore[Measured]) -> int:
    result = await store.verify()
    assert result.ok, result
    return result.events_checked


async def _leaves_and_sha(trail: AuditTrail, events: int) -> int:
    count = 0
    async for page in leaf_pages(trail.engine, events):
        for leaf in page:
            hashlib.sha256(b"\x00" + leaf).digest()
        count += len(page)
    return count


def _file_sha(path: Path) -> int:
    count = 0
    with path.open("rb") as source:
        for line in source:
            hashlib.sha256(line).digest()
            count += 1
    return count - 2  # the header and the tree head are not events


async def _phase(name: str, url: str, events: int, work: Path) -> int:
    engine = make_engine(url)
    store = SqlEventStore(engine, CODEC)
    trail = AuditTrail(engine, store, str(work / "signing-key.pem"))
    bundle = work / "bundle.jsonl"
    phases: dict[str, Callable[[], Awaitable[object]]] = {
        "read+sha": lambda: _read_and_sha(store),
        "verify": lambda: _verify(store),
        "leaves+sha": lambda: _leaves_and_sha(trail, events),
        "tree": lambda: trail.tree_head(events),
        "inclusion": lambda: trail.inclusion(events // 2, events),
        "consistency": lambda: trail.consistency(events // 2, events),
        "bundle": lambda: _write(store, str(work / "signing-key.pem"), bundle),
    }
    try:
        if name == "file+sha":
            return _file_sha(bundle)
        if name == "check":
            return check_bundle(bundle).tree_head.tree_size
        await phases[name]()
        return events
    finally:
        await engine.dispose()


async def _write(store: SqlEventStore[Measured], key_file: str, path: Path) -> None:
    with path.open("wb") as out:
        await write_bundle(store, key_file, out)


def run_phase(arguments: argparse.Namespace) -> None:
    started = time.perf_counter()
    handled = asyncio.run(_phase(arguments.phase, arguments.url, arguments.events, arguments.work))
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"events": handled, "seconds": seconds, "rss_mb": rss_mb}))


def measured(phase: str, url: str, events: int, work: Path) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.verify", "--phase", phase, "--url", url]
    command += ["--events", str(events), "--work", str(work)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def report(label: str, figures: dict[str, float], baseline: dict[str, float] | None) -> None:
    rate = figures["events"] / figures["seconds"]
    base = baseline["events"] / baseline["seconds"] if baseline else None
    print(
        row(label, rate, "ev/s", base)
        + f"  {figures['seconds']:6.2f} s  {figures['rss_mb']:4.0f} MB"
    )


async def measure(backend: str, events: int) -> None:
    async with database(backend) as db:
        await migrated(db)
        print(
            f"\n{backend}: loading {events:,} events ({WRITERS} writers, {PER_APPEND} per append)"
        )
        print(
            row("load through SqlEventStore.append", await load(db.sqlalchemy_url, events), "ev/s")
        )
        print("  rates with the ratio to the baseline above each; seconds; peak RSS of the process")
        with tempfile.TemporaryDirectory() as directory:
            work = Path(directory)
            pairs = [
                ("read+sha", "baseline: read_rows + one SHA-256 per event"),
                ("verify", "store.verify(): the whole hash chain"),
                ("leaves+sha", "baseline: hash column + one SHA-256 per leaf"),
                ("tree", "signed tree head over every event"),
                ("inclusion", "inclusion proof of the middle event"),
                ("consistency", "consistency proof, half to whole"),
                ("bundle", "audit bundle written (stored rows)"),
                ("file+sha", "baseline: bundle file + one SHA-256 per line"),
                ("check", "offline check of the bundle"),
            ]
            baseline: dict[str, float] | None = None
            for phase, label in pairs:
                figures = measured(phase, db.sqlalchemy_url, events, work)
                if label.startswith("baseline"):
                    baseline = figures
                    report(label, figures, None)
                else:
                    report(label, figures, baseline if phase != "bundle" else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.phase:
        run_phase(arguments)
    else:
        asyncio.run(measure(arguments.backend, arguments.events))


if __name__ == "__main__":
    main()
