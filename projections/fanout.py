"""A PostgreSQL rebuild's fold spread over processes, each a range of streams (this one too).

Folding is Python work and a process has one core's worth of it; a stream is folded whole in
one place, so ranges of stream ids split the work with nothing to coordinate but the end:
each process writes its proposals and queue rows itself, and hands back its final rows, of
which the statistics' counts are summed here, key by key, before they are written.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from projections import bulk
from projections.base import Projection, Rows
from projections.bulk import BulkWriter, load_range, take_rows
from projections.projector import PROJECTIONS
from projections.schema import ReadModels, beside
from projections.stats import KEY_COLUMNS
from registry.ids import STREAM_PREFIX

# Below this many events a process's start-up (imports, a connection) costs more than it saves.
MIN_EVENTS = 100_000
_HEX = "0123456789abcdef"


def processes_for(engine: AsyncEngine, projections: Sequence[Projection], head: int) -> int:
    """One process per core for a large log of the standard projections on PostgreSQL.

    PostgreSQL reads, takes the COPYs and builds the indexes beside them. On two cores a second
    folding process still pays (`bench.rebuild`: about a sixth faster), once the log's streams
    are spread over the id space as random proposal ids are.
    """
    known = {p.name for p in PROJECTIONS}
    if engine.dialect.name != "postgresql" or head < MIN_EVENTS:
        return 1
    if any(p.name not in known for p in projections):
        return 1  # a child process can only rebuild the projections it can name
    return max(1, min(os.cpu_count() or 1, len(_HEX)))


def stream_ranges(parts: int) -> list[tuple[str, str | None]]:
    """`parts` ranges of stream ids, split on the first hex digit of the proposal's UUID.

    Random UUIDs spread evenly over their first digit; other streams fall into the first or
    last range, where folding skips them.
    """
    bounds = [STREAM_PREFIX + _HEX[len(_HEX) * i // parts] for i in range(1, parts)]
    return list(zip(["", *bounds], [*bounds, None], strict=True))


async def load_in_processes(
    engine: AsyncEngine,
    projections: Sequence[Projection],
    models: ReadModels,
    head: int,
    processes: int,
    *,
    fold_here: bool = True,
) -> int:
    """Fold the log up to `head` into the tables beside the live ones; the events read.

    With `fold_here` this process folds the first range itself, and `processes - 1` children
    the others: it has everything imported already, and a child's start-up costs half a second
    of CPU and some 85 MB while this process would only wait. Without it (a server, whose
    event loop must stay free for its other requests) children fold every range.
    """
    url = engine.url.render_as_string(hide_password=False)
    names = [p.name for p in projections]
    # Read here, where a test may have set it, and handed on: a child imports its own module.
    page_size = bulk.PAGE_SIZE
    tasks = [
        _Task(url, names, head, low, high, page_size) for low, high in stream_ranges(processes)
    ]
    here = tasks.pop(0) if fold_here else None
    # The children first: they start up while this process folds its own range.
    children = [asyncio.ensure_future(_run_child(task)) for task in tasks]
    try:
        mine = [] if here is None else [await _load_range(here)]
        outcomes = [*mine, *await asyncio.gather(*children)]
    except BaseException:
        for child in children:
            child.cancel()
        await asyncio.gather(*children, return_exceptions=True)
        raise
    writer = BulkWriter(engine, models)
    await writer.write(merge_final_rows([rows for _, rows in outcomes]))
    await writer.wait()
    return sum(replayed for replayed, _ in outcomes)


def merge_final_rows(parts: Sequence[Rows]) -> Rows:
    """The ranges' final rows as one batch. Count tables (their key, then the count) add up by
    key; every other table is keyed by proposal, and each proposal's stream lies in exactly
    one range."""
    merged: Rows = {}
    counts: dict[str, Counter[tuple[Any, ...]]] = {}
    for part in parts:
        for table, rows in part.items():
            if table not in KEY_COLUMNS:
                merged.setdefault(table, []).extend(rows)
                continue
            by_key = counts.setdefault(table, Counter())
            for row in rows:
                by_key[row[:-1]] += row[-1]
    for table, by_key in counts.items():
        merged[table] = [(*key, count) for key, count in by_key.items()]
    return merged


@dataclass(frozen=True)
class _Task:
    url: str
    names: list[str]
    head: int
    low: str
    high: str | None
    page_size: int


async def _run_child(task: _Task) -> tuple[int, Rows]:
    """`python -m projections.fanout`: the task on stdin (the URL may hold a password, which
    a command line would show to every user), its outcome pickled on stdout."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "projections.fanout",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        out, _ = await child.communicate(pickle.dumps(task))
    except BaseException:
        # The rebuild failed elsewhere (or was cancelled): its tables will be dropped, and a
        # child left running would go on writing into them.
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await child.wait()
        raise
    if child.returncode != 0:
        raise RuntimeError(f"rebuilding streams {task.low!r}..{task.high!r} failed")
    outcome: tuple[int, Rows] = pickle.loads(out)
    return outcome


async def _load_range(task: _Task) -> tuple[int, Rows]:
    engine = make_engine(task.url, pool_size=2, max_overflow=0)
    models = beside()
    loaders = [p.loader() for p in PROJECTIONS if p.name in task.names]
    writer = BulkWriter(engine, models)
    try:
        replayed = await load_range(
            engine, loaders, writer, task.head, task.low, task.high, task.page_size
        )
        await writer.wait()
        return replayed, take_rows(loaders, final=True)
    except BaseException:
        await writer.abandon()
        raise
    finally:
        await engine.dispose()


if __name__ == "__main__":
    # Only our own parent writes this pipe: unpickling it trusts nothing it did not send.
    outcome = asyncio.run(_load_range(pickle.loads(sys.stdin.buffer.read())))
    sys.stdout.buffer.write(pickle.dumps(outcome))
