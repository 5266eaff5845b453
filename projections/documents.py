"""A proposal's stored JSON, served as it is: the fast path of `GET /v1/proposals/{id}`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

from sqlalchemy.ext.asyncio import AsyncEngine

from projections.schema import LIVE
from registry.proposal.status import Status

_TABLE = LIVE["proposals"].name
# A fixed text run with `exec_driver_sql`: on the hottest route, compiling a statement and
# processing each column's type cost more than the query (measured with py-spy under wrk).
_BODY = {
    "postgresql": f"SELECT body, status, end_date FROM {_TABLE} WHERE id = $1",
    "sqlite": f"SELECT body, status, end_date FROM {_TABLE} WHERE id = ?",
}


def _key(dialect: str, proposal_id: uuid.UUID) -> object:
    # SQLAlchemy's Uuid type stores 32 hex digits on SQLite; asyncpg takes the UUID itself.
    return proposal_id if dialect == "postgresql" else proposal_id.hex


def _date(value: object) -> dt.date:
    # Without SQLAlchemy's type processing SQLite hands back the ISO text it stored.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


async def proposal_document(
    engine: AsyncEngine, proposal_id: uuid.UUID, today: dt.date
) -> bytes | None:
    """The stored Proposal JSON when it reads the same today; None when absent or expired.

    An active agreement past its end_date must read `expired`, which the stored bytes do not
    say: that one case goes through the decoding path (`queries.get_proposal`).
    """
    dialect = engine.dialect.name
    async with engine.connect() as conn:
        result = await conn.exec_driver_sql(_BODY[dialect], (_key(dialect, proposal_id),))
        row = cast(tuple[bytes, str, object] | None, result.first())
    if row is None:
        return None
    body, status, end_date = row
    if status == Status.ACTIVE.value and _date(end_date) < today:
        return None
    return bytes(body)
