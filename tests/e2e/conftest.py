"""A real `kerjasama serve` process on a free port, on a fresh database of each backend."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str
    cwd: Path

    def kerjasama(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "registry.cli", *args],
            env={**os.environ, "KERJASAMA_DATABASE_URL": self.database_url},
            cwd=self.cwd,
            capture_output=True,
            text=True,
            check=True,
        )

    def token(self, role: str, region: str | None = None) -> str:
        args = ["token", "create", "--role", role, "--name", f"e2e {role}"]
        return self.kerjasama(*args, *(["--region", region] if region else [])).stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kerjasama serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"kerjasama serve did not answer within {STARTUP_SECONDS} s")


@pytest.fixture
def server(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """`kerjasama serve`; a test marked `serve_args(...)` adds command-line arguments."""
    marker = request.node.get_closest_marker("serve_args")
    extra = list(marker.args) if marker else []
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve", "--port", str(port), *extra],
        env={**os.environ, "KERJASAMA_DATABASE_URL": database_url},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("wb"),
    )
    try:
        wait_until_healthy(url, process)
        yield Server(url, database_url, tmp_path)
    finally:
        process.terminate()
        process.wait(timeout=15)
