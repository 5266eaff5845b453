"""Runs a benchmark script as its own process, as a user would, for the smoke tests."""

from __future__ import annotations

import asyncio
import sys


async def run_benchmark(module: str, *args: str) -> str:
    """The script's stdout; fails with its stderr if it exits non-zero."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()
