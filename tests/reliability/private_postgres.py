"""A PostgreSQL cluster of the test's own, to stop and start under load.

The shared server on 5432 carries every other test running in parallel: restarting it would
fail them. This one lives in a temporary directory, on a port of its own, and is gone after.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.e2e.conftest import free_port

# initdb refuses to run as root; the cluster belongs to this user when we are root.
CLUSTER_USER = "postgres"


def postgres_bindir() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian keeps them off the PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major, reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _major(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


class PrivateCluster:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.directory = Path(tempfile.mkdtemp(prefix="kerjasama-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def create(self) -> None:
        """initdb: trust authentication, no fsync of the new files (a throwaway cluster)."""
        if os.geteuid() == 0:
            shutil.chown(self.directory, CLUSTER_USER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = str(self.directory / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: the server processes quit at once, as in a crash; recovery on start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):  # not running after all
                self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", CLUSTER_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
