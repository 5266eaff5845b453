"""The composition root: engine, store, codec, reference data, tokens, projector."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from events.codec import Codec
from events.driver import DriverPool
from events.sql import SqlEventStore
from projections.page_cache import PageCache
from projections.progress import CheckpointWatch
from projections.projector import PROJECTIONS, Projector
from registry.database import open_engine
from registry.event_types import EVENT_TYPES, Event
from registry.principles.ruleset import Ruleset, load_ruleset
from registry.reference import Reference, load_reference
from registry.settings import Settings
from registry.token_store import TokenStore


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request or a CLI command needs, made once per process."""

    settings: Settings
    engine: AsyncEngine
    # Read-model queries run in autocommit: no BEGIN and ROLLBACK round trips around a SELECT.
    reader: AsyncEngine
    # The proposal by id and the list's pages, on PostgreSQL: asyncpg's own pool.
    hot_reads: DriverPool
    # The list's pages, kept while the proposals read model stands still.
    pages: PageCache
    codec: Codec[Event]
    store: SqlEventStore[Event]
    reference: Reference
    ruleset: Ruleset
    tokens: TokenStore
    projector: Projector | None
    # Where the projector runs elsewhere (`serve --workers N`), its checkpoints are watched.
    watch: CheckpointWatch

    async def start(self) -> None:
        if self.projector is not None:
            await self.projector.start()

    async def close(self) -> None:
        if self.projector is not None:
            await self.projector.stop()
        await self.watch.close()
        await self.hot_reads.close()
        await self.engine.dispose()

    async def caught_up(self, position: int, projection: str = "proposals") -> bool:
        """Read your writes: wait until a read model reflects the log up to `position`.

        Commands wait for `proposals` (the detail and the lists) only; the review queue and the
        statistics follow a moment later, and waiting for them would slow every command.
        """
        within = self.settings.read_your_writes_seconds
        if self.projector is not None:
            return await self.projector.wait_for(position, within, projection)
        return await self.watch.wait_for(position, within, projection)

    async def all_caught_up(self, position: int) -> bool:
        """Every read model reflects the log up to `position` (for the demo and the tests)."""
        results = [await self.caught_up(position, p.name) for p in PROJECTIONS]
        return all(results)


def build_services(settings: Settings) -> Services:
    engine = open_engine(settings)
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    hot_reads = DriverPool(engine, size=settings.hot_read_connections)
    codec = Codec(EVENT_TYPES, max_payload_bytes=settings.max_payload_bytes)
    reference = load_reference()
    return Services(
        settings=settings,
        engine=engine,
        reader=reader,
        hot_reads=hot_reads,
        pages=PageCache(reader, hot_reads, pages=settings.list_cache_pages),
        codec=codec,
        store=SqlEventStore(engine, codec),
        reference=reference,
        ruleset=load_ruleset(),
        tokens=TokenStore(engine, reference, cache_seconds=settings.token_cache_seconds),
        projector=Projector(engine) if settings.projector_in_process else None,
        watch=CheckpointWatch(engine),
    )
