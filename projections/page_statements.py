"""The filtered list's statement, built and compiled once for each shape of filter.

Building the SELECT with SQLAlchemy Core, and having it find its compiled form, cost more of a
list request's CPU than PostgreSQL took to run it. A list request has one of a few shapes
(which filters it uses, whether it pages on, its page size): each shape's statement is built
once with named parameters, and the request binds its values.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, literal_column, select
from sqlalchemy.engine import Dialect

from projections.schema import LIVE
from registry.proposal.status import Status

_proposals = LIVE["proposals"]
# How many statements (shapes times page sizes) a process keeps built.
SHAPES_KEPT = 256

# The filters that live in a table of their own: (table, column).
SIDES = {
    "region": ("proposal_regions", "region_code"),
    "partner_country": ("proposal_countries", "country"),
    "sdg": ("proposal_sdgs", "code"),
}


class StatusMatch(enum.Enum):
    """How a status filter reads in SQL: expiry is a reading of `active` against today's date,
    never a stored status; every other status is matched by its stored value."""

    ANY = "any"
    STORED = "stored"
    ACTIVE = "active"
    EXPIRED = "expired"


class Shape(NamedTuple):
    """What a list request's statement depends on, apart from the values it binds."""

    sides: tuple[str, ...]  # the side filters given, in SIDES order: the first drives
    status: StatusMatch
    outcome: bool
    text: bool
    paged_on: bool
    limit: int


def status_match(status: Status | None) -> StatusMatch:
    if status is None:
        return StatusMatch.ANY
    if status is Status.EXPIRED:
        return StatusMatch.EXPIRED
    return StatusMatch.ACTIVE if status is Status.ACTIVE else StatusMatch.STORED


def shape_of(
    sides: tuple[str, ...],
    status: Status | None,
    *,
    outcome: bool,
    text: bool,
    paged_on: bool,
    limit: int,
) -> Shape:
    return Shape(sides, status_match(status), outcome, text, paged_on, limit)


@functools.lru_cache(maxsize=SHAPES_KEPT)
def statement(shape: Shape) -> Select[Any]:
    """The SELECT of a shape, newest submission first, its values as named parameters:
    `side_<filter>`, `status`, `today`, `outcome`, `q`, `cursor`."""
    p = _proposals
    query = select(p.c.seq, p.c.body, p.c.status, p.c.end_date)
    seq: ColumnElement[int] = p.c.seq
    # Driven by a filter table's (value, seq) index when there is one: walking it newest first
    # and joining each row to its proposal reads about `limit` rows, where filtering the
    # proposals by a subquery would read every match first.
    for n, name in enumerate(shape.sides):
        table, column = SIDES[name]
        side = LIVE[table]
        matches = side.c[column] == bindparam(f"side_{name}")
        if n == 0:
            query = query.join(side, side.c.proposal_id == p.c.id).where(matches)
            seq = side.c.seq
        else:
            query = query.where(
                select(side.c.proposal_id).where(side.c.proposal_id == p.c.id, matches).exists()
            )
    query = query.where(*_status(shape.status))
    if shape.outcome:
        query = query.where(p.c.outcome == bindparam("outcome"))
    if shape.text:
        query = query.where(p.c.search.like(bindparam("q"), escape="\\"))
    if shape.paged_on:
        query = query.where(seq < bindparam("cursor"))
    # The page size is written into the statement, not bound: bound, it made PostgreSQL's
    # generic plan look as costly as reading a tenth of the table, so it planned every list
    # query afresh (about 0.7 ms of its CPU, three times the query's own run). Written in, it
    # settles on the generic plan when that is no worse.
    return query.order_by(seq.desc()).limit(literal_column(str(int(shape.limit))))


def _status(match: StatusMatch) -> list[ColumnElement[bool]]:
    p = _proposals
    if match is StatusMatch.ANY:
        return []
    if match is StatusMatch.STORED:
        return [p.c.status == bindparam("status")]
    dated = (
        p.c.end_date < bindparam("today")
        if match is StatusMatch.EXPIRED
        else (p.c.end_date >= bindparam("today"))
    )
    return [p.c.status == Status.ACTIVE.value, dated]


class Compiled(NamedTuple):
    text: str
    names: tuple[str, ...]  # the parameters' names in the order the text takes them
    fixed: dict[str, Any]  # the values the statement carries itself (`active`)

    def arguments(self, bound: dict[str, object]) -> list[object]:
        return [bound[name] if name in bound else self.fixed[name] for name in self.names]


@functools.lru_cache(maxsize=SHAPES_KEPT)
def compiled(shape: Shape, dialect: Dialect) -> Compiled:
    """The statement as its dialect's text, for the driver to run as it is."""
    done = statement(shape).compile(dialect=dialect)
    return Compiled(done.string, tuple(done.positiontup or ()), dict(done.params))


def values(
    sides: dict[str, str],
    status: Status | None,
    outcome: str | None,
    text: str | None,
    cursor: int | None,
    today: dt.date,
) -> dict[str, object]:
    """The values a shape's statement binds, by name."""
    bound: dict[str, object] = {f"side_{name}": value for name, value in sides.items()}
    match = status_match(status)
    if match in (StatusMatch.ACTIVE, StatusMatch.EXPIRED):
        bound["today"] = today
    elif status is not None:
        bound["status"] = status.value
    if outcome is not None:
        bound["outcome"] = outcome
    if text is not None:
        bound["q"] = text
    if cursor is not None:
        bound["cursor"] = cursor
    return bound
