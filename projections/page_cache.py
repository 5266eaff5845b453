"""Pages of the proposal list kept in the process while the proposals read model stands still.

A dashboard or a script asks for the same filtered page again and again, and between two
events the answer cannot change: the page is a function of the read model, which only the
`proposals` projection writes, in the transaction that moves its checkpoint. So a page is kept
with the checkpoint's stamp (position and time moved; a rebuild swapped in moves both) read
before the page, and served again while the checkpoint still shows that stamp: one primary-key
read instead of the page's query (a join and a probe per filter, about 4x the row's time on
PostgreSQL) and its assembly. Every batch the projector applies retires every kept page.

Reading the stamp before the page is what keeps this exact: a page read later than its stamp
can only be newer than the stamp says, and a stamp, once moved past, is never read again, so a
kept page is never older than the read model a request would otherwise have read.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Awaitable, Callable, Hashable

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import DriverPool, hot_connection
from projections.queries import ProposalFilter
from projections.schema import checkpoints

DEFAULT_PAGES = 256
# A page past this is not kept: 500 items (the largest `limit`) of ordinary proposals fit.
LARGEST_PAGE_BYTES = 1024 * 1024
# What one process's kept pages may hold in all: a client walking every cursor with
# `limit=500` would otherwise fill 256 pages of up to a megabyte each.
KEPT_BYTES = 32 * 1024 * 1024

PAGES = Counter(
    "kerjasama_list_pages_total",
    "Pages of the proposal list answered, by whether the kept page served (kept) or the read"
    " model was queried (read)",
    ["answer"],
)
_KEPT, _READ = PAGES.labels("kept"), PAGES.labels("read")

_PROJECTION = "proposals"
_STAMP = {
    "postgresql": f"SELECT position, updated_at FROM {checkpoints.name} WHERE name = $1",
    "sqlite": f"SELECT position, updated_at FROM {checkpoints.name} WHERE name = ?",
}

Stamp = tuple[object, ...]
PageKey = tuple[Hashable, ...]


def page_key(filters: ProposalFilter, limit: int, cursor: str | None, today: dt.date) -> PageKey:
    """What a page is a function of, besides the read model: `today` decides what has expired.
    The filters are a frozen Struct, hashed and compared by their fields."""
    return (filters, limit, cursor, today)


async def read_stamp(engine: AsyncEngine, pool: DriverPool | None = None) -> Stamp:
    """The proposals checkpoint's position and the time it last moved."""
    if engine.dialect.name == "postgresql":
        async with hot_connection(engine, pool) as driver:
            row = await driver.fetchrow(_STAMP["postgresql"], _PROJECTION)
    else:
        async with engine.connect() as conn:
            row = (await conn.exec_driver_sql(_STAMP["sqlite"], (_PROJECTION,))).first()
    return () if row is None else tuple(row)


class PageCache:
    """The last `pages` pages asked for, at most `kept_bytes` of them in all, least recently
    asked dropped first; 0 pages keeps none. The stamp is read from `engine` (on PostgreSQL
    through `pool` when given, as the pages themselves are)."""

    def __init__(
        self,
        engine: AsyncEngine,
        pool: DriverPool | None = None,
        *,
        pages: int = DEFAULT_PAGES,
        kept_bytes: int = KEPT_BYTES,
    ) -> None:
        self._engine = engine
        self._pool = pool
        self._pages = pages
        self._kept_bytes = kept_bytes
        self._bytes = 0
        self._kept: collections.OrderedDict[PageKey, tuple[Stamp, bytes]] = (
            collections.OrderedDict()
        )

    async def page(self, key: PageKey, read: Callable[[], Awaitable[bytes]]) -> bytes:
        """The kept page for `key` if the read model has not moved since; else `read()`."""
        if self._pages == 0:
            return await read()
        stamp = await read_stamp(self._engine, self._pool)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == stamp:
            self._kept.move_to_end(key)
            _KEPT.inc()
            return kept[1]
        body = await read()
        _READ.inc()
        # A stamp of () means no checkpoint row (a database before its migrations): keep nothing.
        if stamp and len(body) <= min(LARGEST_PAGE_BYTES, self._kept_bytes):
            self._keep(key, stamp, body)
        return body

    def _keep(self, key: PageKey, stamp: Stamp, body: bytes) -> None:
        replaced = self._kept.pop(key, None)
        if replaced is not None:
            self._bytes -= len(replaced[1])
        self._kept[key] = (stamp, body)
        self._bytes += len(body)
        while len(self._kept) > self._pages or self._bytes > self._kept_bytes:
            _, (_, dropped) = self._kept.popitem(last=False)
            self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def kept_bytes(self) -> int:
        """The bytes of the pages kept now."""
        return self._bytes
