"""PostgreSQL rows passed as one array per column, for multi-row statements on asyncpg."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

POSTGRESQL: Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
"""For the column types and identifiers of statements written for asyncpg itself."""


def unnest(columns: Iterable[Column[Any]], first: int = 1) -> str:
    """`unnest($first::type[], ...)`, one typed array parameter per column, in order.

    The statement's text is the same whatever the number of rows, so its prepared form is
    reused, and the driver encodes each column once instead of SQLAlchemy each row's values.
    """
    arrays = ", ".join(
        f"${n}::{column.type.compile(dialect=POSTGRESQL)}[]"
        for n, column in enumerate(columns, first)
    )
    return f"unnest({arrays})"


def by_column(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Rows (at least one) turned into one list per column: `unnest`'s parameters."""
    return [list(column) for column in zip(*rows, strict=True)]
