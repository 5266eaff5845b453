"""Opens the configured database and brings its schema up to date."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from migrations import upgrade_to_head
from registry.settings import Settings


def open_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # The embedded default lives in ./data; a first run must not fail for want of a folder.
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "postgresql":
        return make_engine(settings.database_url, pool_size=settings.pooled_connections)
    return make_engine(settings.database_url)


async def migrate(settings: Settings) -> None:
    engine = open_engine(settings)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
