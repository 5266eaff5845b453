"""The command line end to end on each backend: tokens, demo, audit verify and replay, export."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from projections.queries import ProposalFilter, list_proposals
from registry.principles.model import Verdict
from tests.integration.test_append_only import bypassing_guards


async def kerjasama(url: str, cwd: Path, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "registry.cli",
        *args,
        env={"KERJASAMA_DATABASE_URL": url, "PATH": ""},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_token_create_prints_the_token_alone_on_stdout(
    database_url: str, tmp_path: Path
) -> None:
    code, out, err = await kerjasama(
        database_url,
        tmp_path,
        "token",
        "create",
        "--role",
        "official",
        "--region",
        "36.71",
        "--name",
        "BKS Tangerang",
    )
    assert code == 0, err
    assert out.count("\n") == 1
    assert out.startswith("ksj_")
    assert "not shown again" in err
    code, out, _ = await kerjasama(database_url, tmp_path, "token", "list")
    assert "BKS Tangerang" in out
    assert "ksj_" not in out
    token_id = out.split()[0]
    assert (await kerjasama(database_url, tmp_path, "token", "revoke", token_id))[0] == 0
    assert "revoked" in (await kerjasama(database_url, tmp_path, "token", "list"))[1]


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "official", "--name", "x"],
        ["--role", "auditor", "--region", "36.71", "--name", "x"],
        ["--role", "official", "--region", "99.99", "--name", "x"],
    ],
)
async def test_token_create_refuses_a_binding_that_does_not_fit(
    database_url: str, tmp_path: Path, args: list[str]
) -> None:
    code, out, err = await kerjasama(database_url, tmp_path, "token", "create", *args)
    assert code == 2
    assert out == ""
    assert "kerjasama token:" in err


async def test_demo_then_audit_and_export(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    code, out, err = await kerjasama(database_url, tmp_path, "demo")
    assert code == 0, err
    assert "loaded the demo" in out
    assert "already loaded" in (await kerjasama(database_url, tmp_path, "demo"))[1]
    page = await list_proposals(engine, limit=50)
    statuses = sorted(item.status.value for item in page.items)
    assert statuses == ["active", "approved", "submitted", "submitted", "submitted", "withdrawn"]
    failing = await list_proposals(engine, ProposalFilter(outcome=Verdict.FAIL))
    assert [item.partners[0].country for item in failing.items] == ["IL"]
    assert (await kerjasama(database_url, tmp_path, "audit", "verify"))[0] == 0
    assert (await kerjasama(database_url, tmp_path, "audit", "replay"))[0] == 0
    code, exported, _ = await kerjasama(database_url, tmp_path, "export", "--after", "20")
    lines = [msgspec.json.decode(line) for line in exported.splitlines()]
    assert [line["position"] for line in lines] == [21, 22]
    assert all(len(line["hash"]) == 64 for line in lines)

    await bypassing_guards(
        engine,
        "UPDATE events SET data = :data WHERE position = 3",
        {"data": b'{"type":"ProposalReviewed"}'},
    )
    code, out, _ = await kerjasama(database_url, tmp_path, "audit", "verify")
    assert code == 1
    assert "position 3" in out
