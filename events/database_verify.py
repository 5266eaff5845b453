"""Chain verification inside PostgreSQL: the database recomputes every event's SHA-256.

Each event's hash covers the previous event's *stored* hash, so every row can be checked on
its own and ranges of the log in parallel, one backend per range. Shipping a million rows to
Python to hash them costs far more than hashing them where they lie; `sha256` and `to_json`
are PostgreSQL's own, and the SQL below spells exactly the canonical bytes of
`events.hashing.event_hash` (the contract tests compare both on awkward strings).

A row the database flags is recomputed in Python before it is reported: if a spelling the
two disagree on ever slipped through, it would cost a recheck, never a false alarm.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from events.hashing import DOMAIN_TAG
from events.records import ChainVerifier, RowValues, recompute_hash

# The first row of a range that breaks the chain: a hash that does not match its recomputation,
# or a position that does not follow the one before (a deleted event).
_FIRST_BREAK = """
WITH checked AS (
    SELECT position,
           hash,
           lag(position) OVER w AS previous_position,
           sha256(
               $1::bytea || coalesce(lag(hash) OVER w, $2::bytea)
               || int8send(octet_length(envelope)::int8) || envelope
               || int8send(octet_length(metadata)::int8) || metadata
               || int8send(octet_length(data)::int8) || data
           ) AS recomputed
    FROM (
        SELECT position, hash, metadata, data,
               convert_to(
                   '[' || position || ',' || to_json(stream_id) || ',' || version
                   || ',"' || event_id || '",' || to_json(type) || ',' || schema_version
                   || ',"' || to_char(recorded_at AT TIME ZONE 'UTC',
                                      'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z"]',
                   'UTF8'
               ) AS envelope
        FROM events
        WHERE position BETWEEN $3 AND $4
    ) AS stored
    WINDOW w AS (ORDER BY position)
)
SELECT position, previous_position
FROM checked
WHERE hash <> recomputed OR position <> coalesce(previous_position, $3 - 1) + 1
ORDER BY position
LIMIT 1
"""
# With no break in a range, its rows run gap-free from its first position to this one.
_LAST = "SELECT max(position) FROM events WHERE position BETWEEN $1 AND $2"


@dataclass(frozen=True, slots=True)
class _RangeOutcome:
    first: int
    last: int
    max_position: int | None
    # (position, previous position) of the first row that breaks the chain
    break_at: tuple[int, int | None] | None

    def first_bad(self) -> int | None:
        if self.break_at is not None:
            position, previous = self.break_at
            gap = position != (self.first - 1 if previous is None else previous) + 1
            return (self.first if previous is None else previous + 1) if gap else position
        if self.max_position is None or self.max_position < self.last:  # its tail is missing
            return (self.first - 1 if self.max_position is None else self.max_position) + 1
        return None


def split(first: int, last: int, parts: int) -> list[tuple[int, int]]:
    """`parts` contiguous ranges covering first..last, none empty."""
    size = max(1, -(-(last - first + 1) // parts))
    return [(start, min(start + size - 1, last)) for start in range(first, last + 1, size)]


class DatabaseChainCheck:
    """Finds the first break in a range of the log, checking sub-ranges in parallel."""

    def __init__(
        self,
        engine: AsyncEngine,
        row_at: Callable[[int], Awaitable[RowValues | None]],
        hash_before: Callable[[int], Awaitable[bytes]],
        parallel: int | None = None,
    ) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._row_at = row_at
        self._hash_before = hash_before
        self._parallel = parallel or max(1, os.cpu_count() or 1)
        self.rechecked = 0  # rows the database flagged and Python found intact

    async def run(self, first: int, last: int) -> ChainVerifier:
        """A verifier left as walking first..last row by row would have left it."""
        verifier = ChainVerifier(first, await self._hash_before(first))
        while verifier.expected_position <= last:
            outcomes = await asyncio.gather(
                *(
                    self._check(a, b)
                    for a, b in split(verifier.expected_position, last, self._parallel)
                )
            )
            bad = _first_bad(outcomes)
            if bad is None:
                await self._advance(verifier, last - verifier.expected_position + 1, last)
                return verifier
            intact_before = bad - verifier.expected_position
            await self._advance(verifier, intact_before, bad - 1)
            if not await self._flag_confirmed(verifier, bad):
                self.rechecked += 1
                await self._advance(verifier, 1, bad)
                continue
            verifier.first_bad_position = bad
            return verifier
        return verifier

    async def _check(self, first: int, last: int) -> _RangeOutcome:
        previous = await self._hash_before(first)
        async with self._engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            broken = await driver.fetchrow(_FIRST_BREAK, DOMAIN_TAG, previous, first, last)
            max_position = await driver.fetchval(_LAST, first, last)
        break_at = None if broken is None else (broken[0], broken[1])
        return _RangeOutcome(first, last, max_position, break_at)

    async def _flag_confirmed(self, verifier: ChainVerifier, position: int) -> bool:
        row = await self._row_at(position)
        if row is None or row[0] != verifier.expected_position:
            return True  # a missing event is a break whatever the spelling
        return bool(recompute_hash(verifier.previous_hash, row) != bytes(row[9]))

    async def _advance(self, verifier: ChainVerifier, count: int, last: int) -> None:
        if count <= 0:
            return
        verifier.checked += count
        verifier.expected_position += count
        verifier.previous_hash = await self._hash_before(last + 1)


def _first_bad(outcomes: Sequence[_RangeOutcome]) -> int | None:
    for outcome in outcomes:  # in position order: the first range with a break has the first one
        bad = outcome.first_bad()
        if bad is not None:
            return bad
    return None
