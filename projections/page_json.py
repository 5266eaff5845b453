"""A page of proposals as the JSON it is answered with, spliced from the stored documents.

Each listed proposal is stored as the JSON of its ProposalView: decoding twenty of them into
Structs only to encode them again cost more than the query. The page is built around the
stored bytes as they are; only an agreement that has expired since it was stored (its bytes
say `active`) is decoded and read as of today, as `queries.list_proposals` reads every item.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import DriverPool
from projections.queries import (
    ProposalFilter,
    as_read_on,
    clamp,
    next_cursor,
    page_rows,
)
from registry.proposal.status import Status, effective_status
from registry.proposal.view import ProposalView

_view = msgspec.json.Decoder(ProposalView)
_encoder = msgspec.json.Encoder()


class RawPage(msgspec.Struct, frozen=True, kw_only=True):
    """`queries.ProposalPage` with its items as stored: the same fields, in the same order."""

    items: tuple[msgspec.Raw, ...]
    next_cursor: str | None


def _item(body: bytes, status: str, end_date: dt.date, today: dt.date) -> msgspec.Raw:
    stored = Status(status)
    if effective_status(stored, end_date, today) is stored:
        return msgspec.Raw(body)
    return msgspec.Raw(_encoder.encode(as_read_on(_view.decode(body), today)))


async def proposal_page_json(
    engine: AsyncEngine,
    filters: ProposalFilter,
    *,
    limit: int,
    cursor: str | None,
    today: dt.date,
    pool: DriverPool | None = None,
) -> bytes:
    """The JSON of `list_proposals(...)` for the same arguments, byte for byte; on PostgreSQL
    read through `pool` when the caller keeps one."""
    limit = clamp(limit)
    rows = await page_rows(engine, filters, limit, cursor, today, pool)
    items = tuple(_item(row.body, row.status, row.end_date, today) for row in rows)
    return _encoder.encode(RawPage(items=items, next_cursor=next_cursor(rows, limit)))
