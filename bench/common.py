"""Throwaway benchmark databases and the small timing helpers every benchmark shares."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from events.engine import make_engine
from migrations import upgrade_to_head

POSTGRES_ADMIN_DSN = os.environ.get(
    "KERJASAMA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class BenchDatabase:
    backend: str
    sqlalchemy_url: str
    raw_target: str  # asyncpg DSN or SQLite file path


@asynccontextmanager
async def postgres_database() -> AsyncIterator[BenchDatabase]:
    name = f"kerjasama_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{POSTGRES_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    try:
        yield BenchDatabase(
            "postgresql", dsn.replace("postgresql://", "postgresql+asyncpg://", 1), dsn
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[BenchDatabase]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.db"
        yield BenchDatabase("sqlite", f"sqlite+aiosqlite:///{path}", str(path))


def database(backend: str) -> AbstractAsyncContextManager[BenchDatabase]:
    return postgres_database() if backend == "postgresql" else sqlite_database()


async def migrated(db: BenchDatabase) -> None:
    engine = make_engine(db.sqlalchemy_url)
    await upgrade_to_head(engine)
    await engine.dispose()


async def run_for(
    seconds: float, workers: int, operation: Callable[[int], Awaitable[int]]
) -> float:
    """Run `workers` loops of `operation` for about `seconds`; return operations per second."""
    deadline = time.perf_counter() + seconds
    counts = [0] * workers

    async def loop(worker: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            counts[worker] += await operation(worker * 10_000_000 + n)
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*[loop(w) for w in range(workers)])
    return sum(counts) / (time.perf_counter() - started)


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--backend",
        choices=["postgresql", "sqlite", "both"],
        default="both",
        help="which database to measure (default both)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    parser.add_argument("--events", type=int, default=100_000, help="events to read (read.py)")
    return parser.parse_args()


def backends(choice: str) -> list[str]:
    return ["postgresql", "sqlite"] if choice == "both" else [choice]


def row(label: str, value: float, unit: str, baseline: float | None = None) -> str:
    ratio = f"{value / baseline:6.2f}x" if baseline else ""
    return f"  {label:<52} {value:>12,.0f} {unit:<9} {ratio}"
