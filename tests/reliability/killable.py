"""A real `kerjasama serve` that can be killed with SIGKILL and started again on the same port."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from events.engine import make_engine
from registry.facts import Role
from registry.reference import load_reference
from registry.token_store import TokenStore
from tests.e2e.conftest import free_port, wait_until_healthy


class KillableServer:
    """`kerjasama serve` in a session of its own: a kill takes the server and its worker at once.

    Granian serves from a worker process beside the one we start; killing only the parent
    would leave the worker serving, which is no crash at all.
    """

    def __init__(self, database_url: str, cwd: Path) -> None:
        self.database_url = database_url
        self.cwd = cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / "serve.log"
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start on the same port and database as before; return once /health answers."""
        assert self._process is None, "already running"
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "registry.cli", "serve", "--port", str(self.port)],
                env={**os.environ, "KERJASAMA_DATABASE_URL": self.database_url},
                cwd=self.cwd,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        self.starts += 1
        wait_until_healthy(self.url, self._process)

    def kill(self) -> None:
        """SIGKILL to every process of the server: no shutdown code runs, as in a power cut."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), a kill when that takes too long."""
        try:
            self._signal(signal.SIGTERM, wait=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum: signal.Signals, wait: float = 10) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # it died already
            os.killpg(process.pid, signum)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            self._process = process
            raise

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


async def create_tokens(database_url: str, wanted: list[tuple[Role, str | None]]) -> list[str]:
    """Tokens issued by the token store itself, as `kerjasama token create` would, but faster."""
    engine = make_engine(database_url)
    try:
        store = TokenStore(engine, load_reference())
        return [
            (await store.create(role=role, region=region, name=f"faults {role} {index}")).secret
            for index, (role, region) in enumerate(wanted)
        ]
    finally:
        await engine.dispose()
