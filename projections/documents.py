"""A proposal's stored JSON, served as it is: the fast path of `GET /v1/proposals/{id}`."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from projections.schema import LIVE
from registry.proposal.status import Status

_proposals = LIVE["proposals"]
# Built once: SQLAlchemy then reuses its compiled form instead of keying a new statement.
_BODY = select(_proposals.c.body, _proposals.c.status, _proposals.c.end_date).where(
    _proposals.c.id == bindparam("proposal_id")
)


async def proposal_document(
    engine: AsyncEngine, proposal_id: uuid.UUID, today: dt.date
) -> bytes | None:
    """The stored Proposal JSON when it reads the same today; None when absent or expired.

    An active agreement past its end_date must read `expired`, which the stored bytes do not
    say: that one case goes through the decoding path (`queries.get_proposal`).
    """
    async with engine.connect() as conn:
        row = (await conn.execute(_BODY, {"proposal_id": proposal_id})).first()
    if row is None:
        return None
    body, status, end_date = row
    if status == Status.ACTIVE.value and end_date < today:
        return None
    return bytes(body)
