"""docker-compose.yml is valid against the Compose specification and wires what it promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]


def compose(*args: str) -> str:
    tool = shutil.which("docker-compose")
    if tool is None:
        if IN_CI:
            pytest.fail("docker-compose is missing: `make test` installs Debian's package")
        pytest.skip("docker-compose is not installed (`make test` installs it)")
    completed = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_the_compose_file_is_valid() -> None:
    compose("config", "--quiet")


def test_it_runs_postgres_the_api_and_the_projector_with_health_checks() -> None:
    assert set(compose("config", "--services").split()) == {"postgres", "api", "projector"}
    rendered = compose("config")
    assert rendered.count("healthcheck:") == 3
    assert "condition: service_healthy" in rendered
    assert "KERJASAMA_PROJECTOR: external" in rendered
