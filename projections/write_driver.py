"""Runs a batch's `Writes` on asyncpg itself: PostgreSQL's projector batches.

Through SQLAlchemy each statement of a batch cost about 0.2 ms of CPU, and a batch of
submissions ran nine of them, most of the projector's time when batches are small. Here the
rows go as one array per column (`events.unnest`) and every table's inserts and count
additions are one statement, its removals another: a batch of submissions is one write.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import asyncpg
from sqlalchemy import Table

from events.unnest import POSTGRESQL, by_column, unnest
from projections.schema import ReadModels
from projections.writes import Writes

_quote = POSTGRESQL.identifier_preparer.quote


async def run_writes(driver: asyncpg.Connection, models: ReadModels, writes: Writes) -> None:
    if writes.removals:
        parts = tuple((models[name], removal.column) for name, removal in writes.removals.items())
        keys = [list(removal.keys) for removal in writes.removals.values()]
        await driver.execute(_removals(parts), *keys)
    if writes.inserts or writes.additions:
        tables = tuple(models[name] for name in writes.inserts)
        counts = tuple(models[name] for name in writes.additions)
        columns: list[list[Any]] = []
        for rows in (*writes.inserts.values(), *writes.additions.values()):
            columns.extend(by_column(rows))
        await driver.execute(_inserts_and_additions(tables, counts), *columns)
    if writes.sweeps:
        await driver.execute(_sweeps(tuple(models[name] for name in sorted(writes.sweeps))))


def _one_statement(parts: Sequence[str]) -> str:
    """Several data-modifying statements as one: all but the last as WITH queries."""
    *first, last = parts
    if not first:
        return last
    queries = ", ".join(f"w{n} AS ({part})" for n, part in enumerate(first))
    return f"WITH {queries} {last}"


# Bounded: the statements depend on which tables a batch touches, and a rebuild's catch-up
# brings tables of its own.
@functools.lru_cache(maxsize=64)
def _removals(parts: tuple[tuple[Table, str], ...]) -> str:
    statements = []
    for n, (table, column) in enumerate(parts, start=1):
        kind = table.c[column].type.compile(dialect=POSTGRESQL)
        where = f"{_quote(column)} = ANY(${n}::{kind}[])"
        statements.append(f"DELETE FROM {_quote(table.name)} WHERE {where}")
    return _one_statement(statements)


@functools.lru_cache(maxsize=64)
def _inserts_and_additions(tables: tuple[Table, ...], counts: tuple[Table, ...]) -> str:
    statements = []
    first = 1
    for table, adds in [*((t, False) for t in tables), *((t, True) for t in counts)]:
        statements.append(_insert(table, first) + (_add_counts(table) if adds else ""))
        first += len(table.columns)
    return _one_statement(statements)


def _insert(table: Table, first: int) -> str:
    names = ", ".join(_quote(column.name) for column in table.columns)
    rows = unnest(table.columns, first)
    return f"INSERT INTO {_quote(table.name)} ({names}) SELECT * FROM {rows}"


def _add_counts(table: Table) -> str:
    keys = ", ".join(_quote(column.name) for column in table.primary_key.columns)
    count = f'{_quote(table.name)}."count"'
    return f' ON CONFLICT ({keys}) DO UPDATE SET "count" = {count} + excluded."count"'


@functools.lru_cache(maxsize=64)
def _sweeps(tables: tuple[Table, ...]) -> str:
    return _one_statement([f'DELETE FROM {_quote(t.name)} WHERE "count" = 0' for t in tables])
