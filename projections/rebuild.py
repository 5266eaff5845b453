"""Rebuild every read model from the log beside the live one, compare the two, swap it in.

The bulk load reads the log in (stream, version) order, so each proposal is folded once and
written once, and memory holds two pages of events, two batches of rows and one proposal.
Secondary indexes are built once the rows are in, and the tables analysed (see `swap`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from events.schema import event_log_head
from projections import checkpoints, fanout
from projections.base import Projection
from projections.bulk import BulkWriter, load_range, take_rows
from projections.indexing import index_and_analyze
from projections.projector import PROJECTIONS
from projections.schema import ReadModels, beside
from projections.swap import (
    Difference,
    compare,
    create_beside,
    drop_beside,
    swap_in,
)

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
    processes: int | None = None,
    fold_here: bool = True,
) -> RebuildReport:
    """Replay the log into fresh tables; compare with the live ones, then swap them in or drop.

    `processes` folds the log in that many processes (PostgreSQL only; by default as many as
    cores once the log is large, see `projections.fanout`). With `fold_here` this process is
    one of them; a server answering other requests meanwhile passes False, so that its event
    loop only waits on the others.
    """
    started = time.perf_counter()
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in projections])
    models = beside()
    await create_beside(engine, models)
    try:
        head, replayed = await bulk_load(engine, projections, models, processes, fold_here)
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
    engine: AsyncEngine,
    projections: Sequence[Projection],
    models: ReadModels,
    processes: int | None = None,
    fold_here: bool = True,
) -> tuple[int, int]:
    """Fill the fresh tables with the log up to its current head: (head, events replayed).

    A large log on PostgreSQL is folded by several processes, a range of streams each
    (`projections.fanout`); `processes` overrides the choice.
    """
    async with engine.connect() as conn:
        head = int(await conn.scalar(select(event_log_head.c.position)) or 0)
    if processes is None:
        processes = fanout.processes_for(engine, projections, head)
    if processes > 1:
        replayed = await fanout.load_in_processes(
            engine, projections, models, head, processes, fold_here=fold_here
        )
    else:
        replayed = await _load_here(engine, projections, models, head)
    await index_and_analyze(engine, models)
    return head, replayed


async def _load_here(
    engine: AsyncEngine, projections: Sequence[Projection], models: ReadModels, head: int
) -> int:
    loaders = [p.loader() for p in projections]
    writer = BulkWriter(engine, models)
    try:
        replayed = await load_range(engine, loaders, writer, head)
        await writer.write(take_rows(loaders, final=True))
        await writer.wait()
    except BaseException:
        await writer.abandon()
        raise
    return replayed
