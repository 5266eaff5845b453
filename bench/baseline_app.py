"""Baselines for bench/http.py, served the same way as kerjasama: a constant Struct, and one row
fetched by primary key through an asyncpg pool and answered as its stored JSON bytes."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import msgspec
from litestar import Litestar, Response, get
from litestar.datastructures import State


class Constant(msgspec.Struct, frozen=True):
    status: str
    version: int


CONSTANT = Constant(status="ok", version=1)


@get("/constant", sync_to_thread=False)
def constant() -> Constant:
    return CONSTANT


@get("/row/{row_id:int}")
async def row(row_id: int, state: State) -> Response[bytes]:
    pool: asyncpg.Pool = state.pool
    body = await pool.fetchval("SELECT body FROM bench_rows WHERE id = $1", row_id)
    return Response(body, media_type="application/json")


def create() -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(os.environ["BENCH_BASELINE_DSN"], max_size=20)
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar([constant, row], lifespan=[lifespan])
