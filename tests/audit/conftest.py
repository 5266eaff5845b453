"""An API with a signing key of its own per test, and the ways an operator could rewrite history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from events.records import recompute_hash
from events.sql import SqlEventStore
from registry.settings import Settings
from tests.api.conftest import Api, running_api


@pytest.fixture
def key_file(tmp_path: Path) -> str:
    return str(tmp_path / "keys" / "signing-key.pem")


@pytest.fixture
async def audit_api(database_url: str, key_file: str) -> AsyncIterator[Api]:
    async with running_api(Settings(database_url=database_url, signing_key_file=key_file)) as api:
        yield api


async def rewrite_history(
    engine: AsyncEngine, store: SqlEventStore[Any], position: int, data: bytes
) -> None:
    """What verify alone cannot see: change one event and recompute every hash after it.

    An operator with superuser rights can do this; only a tree head signed before it, kept by
    an auditor, shows it.
    """
    rows = [list(row) async for page in store.read_rows() for row in page]
    previous = rows[position - 2][9] if position > 1 else bytes(32)
    changed = []
    for row in rows[position - 1 :]:
        if row[0] == position:
            row[6] = data
        row[9] = recompute_hash(bytes(previous), row)
        previous = row[9]
        changed.append(row)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            await conn.execute(text("DROP TRIGGER IF EXISTS events_no_update"))
        for row in changed:
            await conn.execute(
                text("UPDATE events SET data = :data, hash = :hash WHERE position = :position"),
                {"data": bytes(row[6]), "hash": bytes(row[9]), "position": row[0]},
            )
        await conn.execute(text("UPDATE event_log_head SET hash = :hash"), {"hash": previous})
