"""The statistics questions (SELECT only): a region's summary and proposals by SDG goal."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import msgspec
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from projections.queries import utc_today
from projections.schema import LIVE
from registry.proposal.status import Status
from registry.reference import load_reference


class NamedCount(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    count: int


class RegionSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A region's proposals (as initiator or partner) by status, partners and countries."""

    region_code: str
    name: str | None
    proposals: int
    by_status: dict[str, int]
    partners: tuple[NamedCount, ...]
    countries: tuple[NamedCount, ...]


class GoalStats(msgspec.Struct, frozen=True, kw_only=True):
    goal: int
    title_en: str
    title_id: str
    proposals: int
    by_status: dict[str, int]


class SdgStats(msgspec.Struct, frozen=True, kw_only=True):
    """Per SDG goal, the proposals that name one of its targets, by status."""

    goals: tuple[GoalStats, ...]


def _read_status(status: str, past_end: bool) -> str:
    """Expiry is read on the day asked: an active agreement past its end_date is expired."""
    return Status.EXPIRED.value if status == Status.ACTIVE.value and past_end else status


async def _by_status(
    conn: AsyncConnection, table: Table, key: str, values: list[object], today: dt.date
) -> dict[object, dict[str, int]]:
    """Counts by key and status as read today."""
    t, past = table, table.c.end_date < today
    query = (
        select(t.c[key], t.c.status, past, func.sum(t.c["count"]))
        .where(t.c[key].in_(values))
        .group_by(t.c[key], t.c.status, past)
    )
    counts: dict[object, Counter[str]] = {value: Counter() for value in values}
    for value, status, past_end, count in (await conn.execute(query)).all():
        counts[value][_read_status(status, bool(past_end))] += int(count)
    return {value: dict(sorted(c.items())) for value, c in counts.items()}


async def _named(conn: AsyncConnection, table: Table, column: str, code: str) -> list[NamedCount]:
    rows = await conn.execute(
        select(table.c[column], table.c["count"])
        .where(table.c.region_code == code)
        .order_by(table.c["count"].desc(), table.c[column])
    )
    return [NamedCount(name=name, count=int(count)) for name, count in rows.all()]


async def region_summary(
    engine: AsyncEngine, code: str, *, today: dt.date | None = None
) -> RegionSummary:
    """A region's summary; a region with no proposal has zero of everything."""
    today = today or utc_today()
    async with engine.connect() as conn:
        table = LIVE["region_status_counts"]
        statuses = await _by_status(conn, table, "region_code", [code], today)
        partners = await _named(conn, LIVE["region_partner_counts"], "partner", code)
        countries = await _named(conn, LIVE["region_country_counts"], "country", code)
    by_status = statuses[code]
    return RegionSummary(
        region_code=code,
        name=load_reference().region_name(code),
        proposals=sum(by_status.values()),
        by_status=by_status,
        partners=tuple(partners),
        countries=tuple(countries),
    )


async def sdg_stats(engine: AsyncEngine, *, today: dt.date | None = None) -> SdgStats:
    """All 17 goals, in order, with their proposals by status (zero where there are none)."""
    goals = sorted(load_reference().goals.values(), key=lambda g: g.number)
    async with engine.connect() as conn:
        statuses = await _by_status(
            conn, LIVE["sdg_status_counts"], "goal", [g.number for g in goals], today or utc_today()
        )
    return SdgStats(
        goals=tuple(
            GoalStats(
                goal=goal.number,
                title_en=goal.title_en,
                title_id=goal.title_id,
                proposals=sum(statuses[goal.number].values()),
                by_status=statuses[goal.number],
            )
            for goal in goals
        )
    )


async def region_activity(engine: AsyncEngine, limit: int) -> list[tuple[str, int]]:
    """The regions party to the most proposals, as initiator or partner, most first."""
    table = LIVE["region_status_counts"]
    total = func.sum(table.c["count"])
    query = (
        select(table.c.region_code, total)
        .group_by(table.c.region_code)
        .order_by(total.desc(), table.c.region_code)
        .limit(limit)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [(code, int(count)) for code, count in rows if count]
