"""The command line applies migrations to the configured database."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from events.engine import make_engine


async def test_kerjasama_migrate_creates_the_store_on_an_empty_database(
    empty_database_url: str, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "registry.cli",
        "migrate",
        env={"KERJASAMA_DATABASE_URL": empty_database_url, "PATH": ""},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert b"up to date" in out
    engine = make_engine(empty_database_url)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    assert {"events", "event_log_head", "alembic_version"} <= tables


def test_the_default_database_is_a_file_under_data(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "registry.cli", "migrate"],
        env={"PATH": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "data" / "kerjasama.db").is_file()


def test_help_names_every_command() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "registry.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("migrate", "serve"):
        assert command in completed.stdout


@pytest.mark.parametrize("argv", [["frobnicate"], []])
def test_an_unknown_or_missing_command_exits_with_usage(argv: list[str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "registry.cli", *argv], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 2
    assert "usage: kerjasama" in completed.stderr
