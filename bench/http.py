"""HTTP throughput and latency of the running server beside two baselines served the same way.

Drives each endpoint with wrk (Debian package `wrk`), 32 connections, for a bounded time:
GET a proposal, the filtered list and POST a submission on kerjasama; a constant Struct and a
row fetched by primary key through an asyncpg pool on a minimal Litestar app. Both apps are
served at once, and the row fetch is measured before and after each endpoint: each endpoint's
ratio is against the mean of its two neighbours. Each run is warmed up for a second (figures
dropped) before it is measured. Runs under uvicorn and under granian.

kerjasama is served as docker-compose.yml deploys it: the API process, and `kerjasama projector`
in its own process beside it (`--projector external`, the default). `--projector in-process`
serves it as `make run` does, the projector inside the one API process.
Run: `.venv/bin/python -m bench.http [--seconds 10] [--server granian] [--projector external]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import msgspec

from bench.common import BenchDatabase, migrated, postgres_database
from events.engine import make_engine
from registry.facts import Role
from registry.reference import load_reference
from registry.token_store import TokenStore

CONNECTIONS = 32
WARM_UP_SECONDS = 1
PROPOSALS = 300
PORTS = {"kerjasama": 8810, "baseline": 8811}


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def draft(n: int) -> dict[str, object]:
    parties = ["36.71", "35.78"]
    return {
        "title": f"Pertukaran festival kota nomor {n}",
        "summary": "Kota-kota berbagi cara menyelenggarakan festival dan membangun merek kota.",
        "partners": [
            {"name": "Kota Surabaya", "kind": "city", "country": "ID", "region_code": "35.78"}
        ],
        "fields": ["pariwisata", "kebudayaan"],
        "benefits": [
            {"party": p, "description": "Belajar festival bertaraf dunia"} for p in parties
        ],
        "obligations": [{"party": p, "description": "Mengirim dua pejabat"} for p in parties],
        "legal_basis": ["UU 23/2014", "PP 28/2018"],
        "sdg_targets": ["8.9", "4.7"],
        "start_date": "2027-01-01",
        "end_date": "2029-12-31",
    }


@contextmanager
def serving(server: str, target: str, port: int, env: dict[str, str], cwd: Path) -> Iterator[None]:
    if server == "granian":
        command = [
            str(Path(sys.executable).with_name("granian")),
            "--interface",
            "asgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-log",
            target,
        ]
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            target,
        ]
    process = subprocess.Popen(
        command, env={**os.environ, **env}, cwd=cwd, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(
                    f"http://127.0.0.1:{port}/constant"
                    if "baseline" in target
                    else f"http://127.0.0.1:{port}/health",
                    timeout=1,
                )
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


def wrk(url: str, seconds: float, script: Path | None = None) -> Result:
    """A measured run, after a warm-up run of the same requests whose figures are dropped.

    Without it the first second of each server's first endpoint measured its pools opening
    their connections (and kerjasama's token cache filling): GET a proposal, measured first,
    had a p99 of 130-190 ms in runs whose next five seconds had 21 ms.
    """
    _wrk(url, WARM_UP_SECONDS, script)
    return _wrk(url, seconds, script)


def _wrk(url: str, seconds: float, script: Path | None) -> Result:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds:.0f}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Result(rate, _percentile(out, "50%"), _percentile(out, "99%"), errors)


def _percentile(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def lua(directory: Path, name: str, body: str) -> Path:
    path = directory / f"{name}.lua"
    path.write_text(body)
    return path


def get_script(directory: Path, token: str, paths: list[str], name: str = "get") -> Path:
    listed = ", ".join(f'"{p}"' for p in paths)
    return lua(
        directory,
        name,
        f"""
paths = {{{listed}}}
counter = 0
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
""",
    )


def post_script(directory: Path, token: str) -> Path:
    body = msgspec.json.encode(draft(0)).decode().replace("\\", "\\\\").replace('"', '\\"')
    return lua(
        directory,
        "post",
        f"""
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
""",
    )


async def prepare(db: BenchDatabase) -> tuple[str, str]:
    """Tokens and a baseline table holding proposal-sized JSON rows."""
    await migrated(db)
    engine = make_engine(db.sqlalchemy_url)
    tokens = TokenStore(engine, load_reference())
    official = (await tokens.create(role=Role.OFFICIAL, region="36.71", name="bench")).secret
    reader = (await tokens.create(role=Role.AUDITOR, region=None, name="bench reader")).secret
    await engine.dispose()
    return official, reader


async def fill_baseline(db: BenchDatabase, bodies: list[bytes]) -> None:
    connection = await asyncpg.connect(db.raw_target)
    await connection.execute("CREATE TABLE bench_rows (id integer PRIMARY KEY, body bytea)")
    await connection.executemany(
        "INSERT INTO bench_rows VALUES ($1, $2)", list(enumerate(bodies, start=1))
    )
    await connection.close()


async def analyse(db: BenchDatabase) -> None:
    """Table statistics, as autovacuum keeps them on a production PostgreSQL.

    This machine's PostgreSQL runs with `autovacuum = off`: tables filled a moment ago have no
    statistics, and the filtered list's plan then took 3.5 ms instead of 0.08 ms.
    """
    connection = await asyncpg.connect(db.raw_target)
    await connection.execute("ANALYZE")
    await connection.close()


def submit_proposals(url: str, token: str) -> tuple[list[str], list[bytes]]:
    ids, bodies = [], []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        for n in range(PROPOSALS):
            answer = client.post("/v1/proposals", json=draft(n))
            answer.raise_for_status()
            ids.append(answer.json()["id"])
            bodies.append(answer.content)
    return ids, bodies


GOALS = {"GET a proposal": 1.0, "GET the filtered list": 0.5, "POST a submission": 0.25}
ROW_FETCH = "baseline: row by primary key (asyncpg pool)"


def report(
    server: str, results: dict[str, Result], row_fetches: list[Result], constant: Result
) -> None:
    """Each endpoint against the row fetch measured just before and just after it.

    This machine's speed drifts by a third within minutes; a baseline measured once, minutes
    from an endpoint, made the same code's ratio swing from 0.86x to 1.42x between runs.
    """
    print(f"\n{server}: {CONNECTIONS} connections, wrk; ratios against the row-fetch baseline")
    print("  (each endpoint against the mean of the row fetches just before and after it)")
    print(
        f"  {'endpoint':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'goal':>6}"
        f" {'errors':>7}"
    )
    for (name, result), before, after in zip(
        results.items(), row_fetches, row_fetches[1:], strict=False
    ):
        beside = (before.requests_per_second + after.requests_per_second) / 2
        _line(name, result, result.requests_per_second / beside, GOALS.get(name))
    rates = sorted(run.requests_per_second for run in row_fetches)
    median = rates[len(rates) // 2]
    for run in row_fetches:
        if run.requests_per_second == median:
            _line(ROW_FETCH, run, 1.0, None)
            break
    print(f"  (row fetch over its {len(rates)} runs: {rates[0]:,.0f} to {rates[-1]:,.0f} req/s)")
    _line("baseline: constant Struct", constant, constant.requests_per_second / median, None)


def _line(name: str, result: Result, ratio: float, goal: float | None) -> None:
    print(
        f"  {name:<46} {result.requests_per_second:>9,.0f} {result.p50_ms:>8.1f} "
        f"{result.p99_ms:>8.1f} {ratio:>6.2f}x {f'{goal:.2f}x' if goal else '':>6} "
        f"{result.errors:>7}"
    )


@contextmanager
def projecting(projector: str, env: dict[str, str], cwd: Path) -> Iterator[dict[str, str]]:
    """The API's environment; with `external`, a `kerjasama projector` process beside it."""
    if projector != "external":
        yield env
        return
    env = {**env, "KERJASAMA_PROJECTOR": "external"}
    process = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "projector"],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield env
    finally:
        process.terminate()
        process.wait(timeout=15)


def measure(server: str, projector: str, db: BenchDatabase, seconds: float, work: Path) -> None:
    official, reader = asyncio.run(prepare(db))
    # One token drives each endpoint flat out; the per-token rate limit would throttle it.
    base_env = {
        "KERJASAMA_DATABASE_URL": db.sqlalchemy_url,
        "BENCH_BASELINE_DSN": db.raw_target,
        "KERJASAMA_RATE_LIMIT": "off",
    }
    kerjasama = f"http://127.0.0.1:{PORTS['kerjasama']}"
    baseline = f"http://127.0.0.1:{PORTS['baseline']}"
    results: dict[str, Result] = {}
    # Both served at once, each idle while the other is driven, so that the row fetch can be
    # measured right beside each endpoint.
    with (
        projecting(projector, base_env, work) as env,
        serving(server, "registry.api.asgi:create_from_env", PORTS["kerjasama"], env, work),
        serving(server, "bench.baseline_app:create", PORTS["baseline"], base_env, work),
    ):
        ids, bodies = submit_proposals(kerjasama, official)
        asyncio.run(fill_baseline(db, bodies))
        asyncio.run(analyse(db))
        rows = [f"/row/{n}" for n in range(1, len(bodies) + 1)]
        row_script = get_script(work, "unused", rows, "row")
        listing = ["/v1/proposals?status=submitted&region=35.78&sdg=8&limit=20"]
        endpoints = {
            "GET a proposal": (
                kerjasama,
                get_script(work, reader, [f"/v1/proposals/{i}" for i in ids], "proposal"),
            ),
            "GET the filtered list": (kerjasama, get_script(work, reader, listing, "list")),
            "POST a submission": (f"{kerjasama}/v1/proposals", post_script(work, official)),
        }
        row_fetches = [wrk(baseline, seconds, row_script)]
        for name, (url, script) in endpoints.items():
            results[name] = wrk(url, seconds, script)
            row_fetches.append(wrk(baseline, seconds, row_script))
        constant = wrk(f"{baseline}/constant", seconds)
    report(f"{server}, projector {projector}", results, row_fetches, constant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    parser.add_argument("--server", choices=["uvicorn", "granian", "both"], default="both")
    parser.add_argument(
        "--projector",
        choices=["external", "in-process"],
        default="external",
        help="the projector in its own process (as deployed), or inside the API process",
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/http.py needs wrk: apt-get install wrk")
    servers = ["uvicorn", "granian"] if options.server == "both" else [options.server]
    for server in servers:
        with tempfile.TemporaryDirectory() as work:
            asyncio.run(_run_in_database(server, options.projector, options.seconds, Path(work)))


async def _run_in_database(server: str, projector: str, seconds: float, work: Path) -> None:
    async with postgres_database() as db:
        await asyncio.to_thread(measure, server, projector, db, seconds, work)


if __name__ == "__main__":
    main()
