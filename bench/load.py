"""A mixed workload (80% reads, 20% writes) at a fixed rate against the real server.

Open loop: request i is due at `start + i / rate` whatever happened to the earlier ones, and its
latency counts from that moment, so a server that falls behind shows it in p99 instead of
quietly slowing the generator down (coordinated omission). The writes follow the lifecycle:
officials submit, a reviewer asks for revisions, the officials revise, the reviewer approves,
each command with the If-Match of the answer before it, so none of them may legitimately fail.

Beside it, in the same run, the same schedule against a minimal Litestar endpoint served the
same way: what the generator and the HTTP stack cost with no application behind them.

Run: `.venv/bin/python -m bench.load [--rate 500] [--seconds 30] [--workers 1]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

from bench.common import BenchDatabase, migrated, postgres_database
from bench.http import draft, serving
from events.engine import make_engine
from registry.facts import Role
from registry.reference import load_reference
from registry.token_store import TokenStore

PORTS = {"kerjasama": 8820, "baseline": 8821}
OFFICIAL_REGIONS = ["36.71", "35.78", "32.73", "33.74"]
REVIEWER_REGION = "31.71"
SEED_PROPOSALS = 200
WRITE_SHARE = 0.2
# (kind, weight) of the reads; the weights are shares of the read traffic.
READS = [("get proposal", 45), ("filtered list", 25), ("review queue", 15), ("stats", 10)]
READS += [("proposal events", 5)]


@dataclass
class Tally:
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    def record(self, kind: str, due: float, ok: bool, detail: str) -> None:
        self.latencies_ms[kind].append((time.perf_counter() - due) * 1000)
        if not ok:
            self.errors[kind] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {detail}")


@dataclass
class Tokens:
    officials: dict[str, str]
    reviewer: str
    auditor: str


@dataclass
class Workload:
    """The proposals the writes move along, and the ids the reads pick from."""

    tokens: Tokens
    known: list[str] = field(default_factory=list)
    awaiting_review: deque[tuple[str, str, str]] = field(default_factory=deque)
    awaiting_revision: deque[tuple[str, str, str]] = field(default_factory=deque)
    counter: int = 0

    def next_write(self, rng: random.Random) -> tuple[str, str, str, dict[str, object], str]:
        """(kind, path, token, body, If-Match) of the next write."""
        self.counter += 1
        if self.awaiting_revision and rng.random() < 0.4:
            pid, etag, region = self.awaiting_revision.popleft()
            body = draft_for(region, self.counter)
            return "revise", f"/v1/proposals/{pid}/revisions", region, body, etag
        if self.awaiting_review and rng.random() < 0.6:
            pid, etag, region = self.awaiting_review.popleft()
            decision = rng.choice(["approve", "request_revision"])
            review: dict[str, object] = {"decision": decision, "comment": "Mohon dilengkapi."}
            return "review", f"/v1/proposals/{pid}/reviews", "", review, etag
        region = rng.choice(OFFICIAL_REGIONS)
        return "submit", "/v1/proposals", region, draft_for(region, self.counter), ""

    def advance(self, kind: str, region: str, answer: dict[str, object], etag: str) -> None:
        pid = str(answer["id"])
        if kind == "submit":
            self.known.append(pid)
        initiator = answer["initiator"]
        owner = region or str(initiator["region_code"] if isinstance(initiator, dict) else "")
        if answer["status"] == "submitted":
            self.awaiting_review.append((pid, etag, owner))
        elif answer["status"] == "revision_requested":
            self.awaiting_revision.append((pid, etag, owner))


def draft_for(region: str, n: int) -> dict[str, object]:
    body = draft(n)
    partner = "35.78" if region != "35.78" else "36.71"
    body["partners"] = [
        {"name": "Kota Mitra", "kind": "city", "country": "ID", "region_code": partner}
    ]
    body["benefits"] = [{"party": p, "description": "Belajar bersama"} for p in (region, partner)]
    body["obligations"] = [
        {"party": p, "description": "Mengirim dua pejabat"} for p in (region, partner)
    ]
    return body


async def issue_tokens(db: BenchDatabase) -> Tokens:
    engine = make_engine(db.sqlalchemy_url)
    store = TokenStore(engine, load_reference())
    officials = {
        region: (await store.create(role=Role.OFFICIAL, region=region, name="load")).secret
        for region in OFFICIAL_REGIONS
    }
    reviewer = await store.create(role=Role.REVIEWER, region=REVIEWER_REGION, name="load")
    auditor = await store.create(role=Role.AUDITOR, region=None, name="load")
    await engine.dispose()
    return Tokens(officials, reviewer.secret, auditor.secret)


def seed(url: str, workload: Workload) -> None:
    """Proposals for the reads to find before the clock starts."""
    rng = random.Random(7)
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(SEED_PROPOSALS):
            region = rng.choice(OFFICIAL_REGIONS)
            answer = client.post(
                "/v1/proposals",
                json=draft_for(region, n),
                headers={"Authorization": f"Bearer {workload.tokens.officials[region]}"},
            )
            answer.raise_for_status()
            workload.known.append(answer.json()["id"])


def read_request(kind: str, workload: Workload, rng: random.Random) -> tuple[str, str]:
    tokens = workload.tokens
    pid = rng.choice(workload.known)
    match kind:
        case "get proposal":
            return f"/v1/proposals/{pid}", tokens.auditor
        case "filtered list":
            region = rng.choice(OFFICIAL_REGIONS)
            return f"/v1/proposals?status=submitted&region={region}&sdg=8&limit=20", tokens.auditor
        case "review queue":
            return "/v1/review-queue?limit=20", tokens.reviewer
        case "stats":
            return "/v1/stats/sdgs", tokens.auditor
        case _:
            return f"/v1/proposals/{pid}/events", tokens.auditor


async def fire_read(
    session: aiohttp.ClientSession, path: str, token: str, kind: str, due: float, tally: Tally
) -> None:
    try:
        async with session.get(path, headers={"Authorization": f"Bearer {token}"}) as answer:
            await answer.read()
            tally.record(kind, due, answer.status < 400, f"{answer.status} {path}")
    except (aiohttp.ClientError, TimeoutError) as failure:
        tally.record(kind, due, False, repr(failure))


async def fire_write(
    session: aiohttp.ClientSession, workload: Workload, rng: random.Random, due: float, tally: Tally
) -> None:
    kind, path, region, body, etag = workload.next_write(rng)
    token = workload.tokens.officials[region] if region else workload.tokens.reviewer
    headers = {"Authorization": f"Bearer {token}"}
    if etag:
        headers["If-Match"] = etag
    try:
        async with session.post(path, json=body, headers=headers) as answer:
            payload = await answer.json(content_type=None)
            ok = answer.status < 400
            tally.record(kind, due, ok, f"{answer.status} {path} {payload}")
            if ok:
                workload.advance(kind, region, payload, answer.headers["ETag"])
    except (aiohttp.ClientError, TimeoutError) as failure:
        tally.record(kind, due, False, repr(failure))


async def drive(
    url: str, rate: float, seconds: float, fire: Callable[[float, random.Random], Awaitable[None]]
) -> tuple[float, float]:
    """Fire `rate * seconds` requests on schedule; returns (offered, achieved) requests/s."""
    rng = random.Random(1)
    total = int(rate * seconds)
    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter() + 0.1
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task: asyncio.Task[None] = asyncio.ensure_future(fire(due, rng))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    return rate, total / (time.perf_counter() - start)


def session(url: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=url,
        connector=aiohttp.TCPConnector(limit=256),
        timeout=aiohttp.ClientTimeout(total=10),
    )


async def mixed(url: str, workload: Workload, rate: float, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    names = [kind for kind, _ in READS]
    weights = [weight for _, weight in READS]
    async with session(url) as client:

        async def fire(due: float, rng: random.Random) -> None:
            if rng.random() < WRITE_SHARE:
                await fire_write(client, workload, rng, due, tally)
            else:
                kind = rng.choices(names, weights)[0]
                path, token = read_request(kind, workload, rng)
                await fire_read(client, path, token, kind, due, tally)

        _, achieved = await drive(url, rate, seconds, fire)
    return tally, achieved


async def constant(url: str, rate: float, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    async with session(url) as client:

        async def fire(due: float, rng: random.Random) -> None:
            await fire_read(client, "/constant", "", "constant", due, tally)

        _, achieved = await drive(url, rate, seconds, fire)
    return tally, achieved


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(title: str, tally: Tally, offered: float, achieved: float) -> None:
    everything = [ms for kind in tally.latencies_ms.values() for ms in kind]
    print(f"\n{title}: offered {offered:,.0f} req/s, sent {achieved:,.0f} req/s")
    print(f"  {'kind':<18} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, latencies in sorted(tally.latencies_ms.items()):
        print(
            f"  {kind:<18} {len(latencies):>9,} {tally.errors[kind]:>7} "
            f"{percentile(latencies, 0.5):>8.1f} {percentile(latencies, 0.99):>8.1f}"
        )
    print(
        f"  {'all':<18} {len(everything):>9,} {sum(tally.errors.values()):>7} "
        f"{percentile(everything, 0.5):>8.1f} {percentile(everything, 0.99):>8.1f}"
    )
    for sample in tally.error_samples:
        print(f"  error: {sample[:300]}")


@contextmanager
def kerjasama_serving(db: BenchDatabase, workers: int, work: Path) -> Iterator[str]:
    port = PORTS["kerjasama"]
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "registry.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        # A few tokens carry the whole rate here; the per-token limit would throttle them.
        env={
            **os.environ,
            "KERJASAMA_DATABASE_URL": db.sqlalchemy_url,
            "KERJASAMA_RATE_LIMIT": "off",
        },
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def measure(db: BenchDatabase, rate: float, seconds: float, workers: int, work: Path) -> None:
    asyncio.run(migrated(db))
    tokens = asyncio.run(issue_tokens(db))
    workload = Workload(tokens)
    with kerjasama_serving(db, workers, work) as url:
        seed(url, workload)
        tally, achieved = asyncio.run(mixed(url, workload, rate, seconds))
    baseline_env = {"BENCH_BASELINE_DSN": db.raw_target}
    with serving("granian", "bench.baseline_app:create", PORTS["baseline"], baseline_env, work):
        baseline, baseline_achieved = asyncio.run(
            constant(f"http://127.0.0.1:{PORTS['baseline']}", rate, seconds)
        )
    print(f"kerjasama serve --workers {workers} on PostgreSQL, {seconds:.0f} s per run")
    report("mixed workload, 80% reads / 20% writes", tally, rate, achieved)
    report("baseline: constant Struct, same schedule", baseline, rate, baseline_achieved)
    everything = [ms for kind in tally.latencies_ms.values() for ms in kind]
    floor = [ms for kind in baseline.latencies_ms.values() for ms in kind]
    errors = sum(tally.errors.values())
    print(
        f"\nerrors: {errors} (goal 0); p99 {percentile(everything, 0.99):.1f} ms"
        f" beside the baseline's {percentile(floor, 0.99):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1, help="kerjasama serve --workers")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        asyncio.run(_in_database(options.rate, options.seconds, options.workers, Path(work)))


async def _in_database(rate: float, seconds: float, workers: int, work: Path) -> None:
    async with postgres_database() as db:
        await asyncio.to_thread(measure, db, rate, seconds, workers, work)


if __name__ == "__main__":
    main()
