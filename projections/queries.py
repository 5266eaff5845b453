"""The read side's questions: SELECT only, each answered with a response Struct."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

import msgspec
from msgspec.structs import replace
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import DriverPool, hot_connection
from projections.page_statements import SIDES, compiled, shape_of, statement, values
from projections.review_queue import QueueItem
from projections.schema import LIVE
from registry.principles.model import Verdict
from registry.proposal.status import Status, effective_status
from registry.proposal.view import ProposalView

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

_proposals = LIVE["proposals"]
_view = msgspec.json.Decoder(ProposalView)
_item = msgspec.json.Decoder(QueueItem)


class InvalidCursor(ValueError):
    """A cursor this service did not hand out (a client error, 400)."""


class ProposalFilter(msgspec.Struct, frozen=True, kw_only=True):
    """The list filters of API.md; `region` is initiator or partner, `sdg` a goal or target."""

    status: Status | None = None
    region: str | None = None
    partner_country: str | None = None
    sdg: str | None = None
    outcome: Verdict | None = None
    q: str | None = None


class ProposalPage(msgspec.Struct, frozen=True, kw_only=True):
    items: tuple[ProposalView, ...]
    next_cursor: str | None


class QueuePage(msgspec.Struct, frozen=True, kw_only=True):
    items: tuple[QueueItem, ...]
    next_cursor: str | None


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def as_read_on(view: ProposalView, today: dt.date) -> ProposalView:
    """The stored view as read on a day: an active agreement past its end_date is expired."""
    status = effective_status(view.status, view.end_date, today)
    return view if status is view.status else replace(view, status=status)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("s"):
            raise ValueError(text)
        return int(text[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor("the cursor is not one this service handed out") from error


def clamp(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


async def get_proposal(
    engine: AsyncEngine, proposal_id: uuid.UUID, *, today: dt.date | None = None
) -> ProposalView | None:
    """The live Proposal, or None when no such proposal has been projected."""
    async with engine.connect() as conn:
        body = await conn.scalar(select(_proposals.c.body).where(_proposals.c.id == proposal_id))
    return None if body is None else as_read_on(_view.decode(body), today or utc_today())


async def list_proposals(
    engine: AsyncEngine,
    filters: ProposalFilter | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    today: dt.date | None = None,
) -> ProposalPage:
    """A page of Proposals, newest submission first, matching every given filter."""
    today, limit = today or utc_today(), clamp(limit)
    rows = await page_rows(engine, filters or ProposalFilter(), limit, cursor, today)
    items = tuple(as_read_on(_view.decode(row.body), today) for row in rows)
    return ProposalPage(items=items, next_cursor=next_cursor(rows, limit))


class PageRow(NamedTuple):
    """A listed proposal as stored, with what deciding how it reads today needs."""

    seq: int
    body: bytes
    status: str
    end_date: dt.date


async def page_rows(
    engine: AsyncEngine,
    filters: ProposalFilter,
    limit: int,
    cursor: str | None,
    today: dt.date,
    pool: DriverPool | None = None,
) -> list[PageRow]:
    """The stored rows of a page of `list_proposals`, newest submission first."""
    sides = {name: value for name in SIDES if (value := getattr(filters, name)) is not None}
    shape = shape_of(
        tuple(sides),
        filters.status,
        outcome=filters.outcome is not None,
        text=bool(filters.q),
        paged_on=cursor is not None,
        limit=limit,
    )
    bound = values(
        sides,
        filters.status,
        None if filters.outcome is None else filters.outcome.value,
        f"%{_escape(filters.q.lower())}%" if filters.q else None,
        None if cursor is None else decode_cursor(cursor),
        today,
    )
    if engine.dialect.name == "postgresql":
        # The driver runs the shape's text itself, as for a GET of one proposal
        # (`documents.py`): SQLAlchemy's execution context cost more than the query.
        text = compiled(shape, engine.dialect)
        async with hot_connection(engine, pool) as driver:
            rows: Sequence[Any] = await driver.fetch(text.text, *text.arguments(bound))
    else:
        async with engine.connect() as conn:
            rows = (await conn.execute(statement(shape), bound)).all()
    return [PageRow(*row) for row in rows]


def next_cursor(rows: Sequence[Any], limit: int) -> str | None:
    return encode_cursor(rows[-1][0]) if len(rows) == limit else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def review_queue(
    engine: AsyncEngine,
    *,
    reviewer_region: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> QueuePage:
    """Proposals awaiting review, oldest first; a reviewer never sees its own region's."""
    queue = LIVE["review_queue"]
    query = select(queue.c.seq, queue.c.item)
    if reviewer_region is not None:
        query = query.where(~queue.c.parties.contains(f",{reviewer_region},", autoescape=True))
    if cursor is not None:
        query = query.where(queue.c.seq > decode_cursor(cursor))
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(queue.c.seq).limit(clamp(limit)))).all()
    items = tuple(_item.decode(item) for _, item in rows)
    return QueuePage(items=items, next_cursor=next_cursor(rows, clamp(limit)))
