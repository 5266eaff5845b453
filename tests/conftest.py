"""Fixtures shared by every suite: a fresh database per test on each backend."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from tests.databases import (
    PostgresDatabases,
    SqliteDatabases,
    in_fresh_loop,
    postgres_available,
    sqlalchemy_url,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    if not in_fresh_loop(postgres_available):
        if IN_CI:
            pytest.fail(
                "CI=true but PostgreSQL is not reachable: PostgreSQL tests never skip in CI"
            )
        pytest.skip("PostgreSQL is not reachable (set CI=true to make this a failure)")
    databases = PostgresDatabases()
    in_fresh_loop(databases.create_template)
    yield databases
    in_fresh_loop(lambda: databases.drop(databases.template))


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    databases = SqliteDatabases(tmp_path_factory.mktemp("sqlite"))
    in_fresh_loop(databases.create_template)
    return databases


def provide_database(request: pytest.FixtureRequest, backend: str) -> Iterator[str]:
    """A migrated, empty database of a SQL backend, new for every test; dropped afterwards."""
    if backend == "sqlite":
        yield request.getfixturevalue("sqlite_databases").clone()
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    name = in_fresh_loop(databases.clone)
    yield sqlalchemy_url(name)
    in_fresh_loop(lambda: databases.drop(name))


@pytest.fixture(params=SQL_BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from provide_database(request, request.param)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database only: for what only PostgreSQL has."""
    yield from provide_database(request, "postgres")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(params=SQL_BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of each SQL backend with no tables at all, for migration tests."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_databases").empty()
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    name = in_fresh_loop(databases.empty)
    yield sqlalchemy_url(name)
    in_fresh_loop(lambda: databases.drop(name))
