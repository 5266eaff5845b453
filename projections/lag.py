"""How far each projection trails the log, in events and in seconds (for /ready and /metrics)."""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from events.schema import event_log_head, events
from projections import checkpoints


class ProjectionLag(msgspec.Struct, frozen=True, kw_only=True):
    """`seconds` is the age of the oldest event not yet applied; 0 when caught up."""

    name: str
    position: int
    head_position: int
    events: int
    seconds: float


async def projection_lag(
    engine: AsyncEngine, *, now: dt.datetime | None = None
) -> tuple[ProjectionLag, ...]:
    """Every projection's lag behind the head of the log, by name."""
    now = now or dt.datetime.now(dt.UTC)
    async with engine.connect() as conn:
        head = int(await conn.scalar(select(event_log_head.c.position)) or 0)
        positions = await checkpoints.read_all(conn)
        lags = []
        for name, position in sorted(positions.items()):
            oldest = None
            if position < head:
                oldest = await conn.scalar(
                    select(events.c.recorded_at).where(events.c.position == position + 1)
                )
            seconds = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
            lags.append(
                ProjectionLag(
                    name=name,
                    position=position,
                    head_position=head,
                    events=max(head - position, 0),
                    seconds=seconds,
                )
            )
    return tuple(lags)
