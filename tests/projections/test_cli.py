"""`kerjasama projector` follows the log until SIGTERM; `projections rebuild` swaps in a copy."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from projections.projector import wait_for_position
from projections.queries import get_proposal
from tests.projections.histories import Store, lifecycle, submit


async def kerjasama(url: str, cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "registry.cli",
        *args,
        env={"KERJASAMA_DATABASE_URL": url, "PATH": ""},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_the_projector_command_projects_until_it_is_terminated(
    engine: AsyncEngine, database_url: str, store: Store, tmp_path: Path
) -> None:
    process = await kerjasama(database_url, tmp_path, "projector")
    try:
        pid, handled = await submit(store)
        assert await wait_for_position(engine, handled.result.last_position, 30)
        assert await get_proposal(engine, pid) is not None
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert b"projector stopped" in out


async def test_projections_rebuild_replays_the_log_and_swaps_it_in(
    engine: AsyncEngine, database_url: str, store: Store, tmp_path: Path
) -> None:
    pid, steps = await lifecycle(store)
    process = await kerjasama(database_url, tmp_path, "projections", "rebuild")
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert f"from {steps[-1].result.last_position:,} events".encode() in out
    shown = await get_proposal(engine, pid)
    assert shown is not None
    assert shown.version == steps[-1].version
