"""Every statement a block runs on an engine's connections, for tests that pin round trips."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
from asyncpg.connection import LoggedQuery
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def statements_on(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement run on the engine's connections: through SQLAlchemy, and on PostgreSQL
    also those run on asyncpg itself (the projector's batches, the store's commits)."""
    seen: list[str] = []
    drivers: list[asyncpg.Connection] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    def record_driver(query: LoggedQuery) -> None:
        seen.append(query.query)

    def watch(connection: Any, _record: Any, _proxy: Any) -> None:
        driver = connection.driver_connection
        if isinstance(driver, asyncpg.Connection):
            driver.add_query_logger(record_driver)
            drivers.append(driver)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    event.listen(engine.sync_engine, "checkout", watch)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        event.remove(engine.sync_engine, "checkout", watch)
        for driver in drivers:
            driver.remove_query_logger(record_driver)
