"""Rebuild every read model from the log beside the live one, compare the two, swap it in.

The bulk load reads the log in (stream, version) order, so each proposal is folded once and
written once, and memory holds two pages of events, two batches of rows and one proposal.
Secondary indexes are built once the rows are in, and the tables analysed (see `swap`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from events.records import utc_from_text
from events.schema import event_log_head
from projections import checkpoints
from projections.base import Loader, Projection, Rows
from projections.bulk import BulkWriter, FoldRow, stream_pages
from projections.changes import CODEC, Change
from projections.projector import PROJECTIONS
from projections.schema import ReadModels, beside
from projections.swap import (
    Difference,
    compare,
    create_beside,
    drop_beside,
    index_and_analyze,
    swap_in,
)
from registry.ids import STREAM_PREFIX
from registry.proposal.state import evolve, initial_state

log = structlog.get_logger(__name__)


class RebuildReport(msgspec.Struct, frozen=True, kw_only=True):
    """What a rebuild did: the events it replayed, what differed from the live models."""

    ok: bool
    events_replayed: int
    position: int
    swapped: bool
    differences: tuple[Difference, ...]
    seconds: float


async def rebuild(
    engine: AsyncEngine,
    *,
    projections: Sequence[Projection] = PROJECTIONS,
    swap: bool = True,
    check: bool = True,
    wait_for_live: float = 5.0,
) -> RebuildReport:
    """Replay the log into fresh tables; compare with the live ones, then swap them in or drop."""
    started = time.perf_counter()
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in projections])
    models = beside()
    await create_beside(engine, models)
    try:
        head, replayed = await bulk_load(engine, projections, models)
        positions = {p.name: head for p in projections}
        differences = (
            await compare(engine, projections, models, positions, wait_for_live) if check else []
        )
        if swap:
            replayed += await swap_in(engine, projections, models, positions)
    finally:
        if not swap:
            await drop_beside(engine, models)
    report = RebuildReport(
        ok=not differences,
        events_replayed=replayed,
        position=max(positions.values(), default=head),
        swapped=swap,
        differences=tuple(differences),
        seconds=time.perf_counter() - started,
    )
    log.info("projections_rebuilt", events=replayed, ok=report.ok, swapped=swap)
    return report


async def bulk_load(
    engine: AsyncEngine, projections: Sequence[Projection], models: ReadModels
) -> tuple[int, int]:
    """Fill the fresh tables with the log up to its current head: (head, events replayed)."""
    async with engine.connect() as conn:
        head = int(await conn.scalar(select(event_log_head.c.position)) or 0)
    loaders = [p.loader(models) for p in projections]
    writer = BulkWriter(engine, models)
    folding = _Folding(loaders, native=engine.dialect.name != "sqlite")
    try:
        async for page in stream_pages(engine, head):
            folding.feed(page)
            await writer.write(_take(loaders, final=False))
            # A turn of the event loop per page: the batch being written and the page being
            # read move on while the next one is folded, not after it.
            await asyncio.sleep(0)
        folding.finish()
        await writer.write(_take(loaders, final=True))
        await writer.wait()
    except BaseException:
        await writer.abandon()
        raise
    await index_and_analyze(engine, models)
    return head, folding.replayed


class _Folding:
    """Folds rows stream by stream (the live path's `evolve`), each whole stream once."""

    def __init__(self, loaders: list[Loader], *, native: bool) -> None:
        self.loaders = loaders
        self.native = native
        self.replayed = 0
        self.stream = ""
        self.wanted = False
        self.state = initial_state()
        self.first = self.last = 0

    def feed(self, rows: Sequence[FoldRow]) -> None:
        decode = CODEC.decode
        for position, stream_id, version, type_name, schema_version, data, at in rows:
            self.replayed += 1
            if stream_id != self.stream:
                self.finish()
                self.stream, self.first = stream_id, position
                self.wanted = stream_id.startswith(STREAM_PREFIX)
            if not self.wanted:
                continue
            if version != self.state.version + 1:
                raise ValueError(f"{stream_id} version {version} follows {self.state.version}")
            when = at if self.native else utc_from_text(at)
            self.state = evolve(self.state, decode(type_name, schema_version, data), when)
            self.last = position

    def finish(self) -> None:
        """Hand the stream folded so far to each loader, and start afresh."""
        if self.wanted and self.state.version:
            change = Change(initial_state(), self.state, self.first, self.last)
            for loader in self.loaders:
                loader.add(change)
        self.state, self.wanted = initial_state(), False


def _take(loaders: list[Loader], *, final: bool) -> Rows:
    rows: Rows = {}
    for loader in loaders:
        for table, table_rows in loader.take(final=final).items():
            rows.setdefault(table, []).extend(table_rows)
    return rows
