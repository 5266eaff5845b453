"""Rebuild speed and memory: all read models from a synthetic log, beside `read_all` alone.

Loads N events (N / 10 proposals, interleaved as real submissions are) into a throwaway
PostgreSQL database, then in turns reads them with `read_all` and rebuilds every read model in a
child process (so its peak RSS is the rebuild's alone); the median turn's ratio is the figure.
Then times filtered list queries.

Run: `.venv/bin/python -m bench.rebuild [--events 1000000] [--rounds 5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence

import msgspec
from msgspec.structs import replace
from sqlalchemy import text

from bench.common import database, migrated, row
from events.engine import make_engine
from events.envelope import NewEvent
from events.sql import SqlEventStore
from projections import fanout
from projections.changes import CODEC
from projections.projector import PROJECTIONS
from projections.queries import ProposalFilter, list_proposals
from projections.rebuild import rebuild
from registry.event_types import (
    AgreementSigned,
    AgreementTerminated,
    Decision,
    Event,
    LegalApprovalRecorded,
    ProposalAssessed,
    ProposalReviewed,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
)
from registry.ids import ProposalId, stream_id
from registry.principles import assess, load_ruleset
from registry.proposal.category import Authority
from registry.proposal.status import Status
from registry.reference import load_reference
from registry.terms import Partner, PartnerKind, PartyText, Terms

EVENTS_PER_PROPOSAL = 10
WAVE = 2000
QUERY_RUNS = 200
CITIES = ("36.71", "36.74", "35.78", "35.10", "32.73", "31.74", "12.71", "73.71", "51.71")
FOREIGN = (("Kota Kitakyushu", "JP"), ("Busan", "KR"), ("Rotterdam", "NL"), ("Perth", "AU"))
GOALS = ("4.7", "8.9", "11.6", "13.3", "6.1", "3.8", "17.17")
WORDS = ("festival", "sampah", "air bersih", "pelatihan", "pariwisata", "digital")


def template(n: int) -> tuple[str, Terms, ProposalAssessed]:
    """One of a few dozen realistic term sets, assessed once by the real principle checks."""
    rng = random.Random(n)
    initiator = CITIES[n % len(CITIES)]
    if n % 3 == 0:
        name, country = FOREIGN[n % len(FOREIGN)]
        partner = Partner(name=name, kind=PartnerKind.FOREIGN_LOCAL_GOVERNMENT, country=country)
    else:
        code = CITIES[(n + 1 + n // len(CITIES)) % len(CITIES)]
        if code == initiator:
            code = CITIES[(n + 2) % len(CITIES)]
        region = load_reference().regions[code]
        partner = Partner(name=region.name, kind=PartnerKind.CITY, country="ID", region_code=code)
    keys = [initiator, partner.region_code or partner.name]
    word = WORDS[n % len(WORDS)]
    terms = Terms(
        title=f"Kerja sama {word} {n}",
        summary=f"Kota-kota berbagi pengalaman {word} untuk pelayanan publik yang lebih baik.",
        partners=(partner,),
        fields=("pariwisata", "kebudayaan") if n % 2 else ("lingkungan_hidup", "pendidikan"),
        benefits=tuple(
            PartyText(party=k, description="Belajar dari praktik terbaik mitra") for k in keys
        ),
        obligations=tuple(
            PartyText(party=k, description="Mengirim dua pejabat tiap tahun") for k in keys
        ),
        legal_basis=("UU 23/2014", "PP 28/2018"),
        sdg_targets=tuple(rng.sample(GOALS, 2)),
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027 + n % 4, 12, 31),
    )
    verdict = assess(initiator, terms, load_reference(), load_ruleset())
    assessed = ProposalAssessed(
        proposal_id=ProposalId(uuid.UUID(int=0)),
        ruleset=verdict.ruleset,
        outcome=verdict.outcome,
        principles=verdict.principles,
    )
    return initiator, terms, assessed


TEMPLATES = [template(n) for n in range(48)]


def proposal_id(n: int) -> ProposalId:
    """Proposal n's id: fixed, and spread over the id space as the service's random ids are.

    Sequential ids would put the log's stream order in its append order, which real ids never
    do: the rebuild would read the log front to back, and could not split it by id range.
    """
    digest = hashlib.blake2b(n.to_bytes(8, "big"), digest_size=16).digest()
    return ProposalId(uuid.UUID(bytes=digest, version=4))


def history(n: int) -> list[Event]:
    """Ten events of proposal n, ending in one of four statuses."""
    initiator, terms, assessed = TEMPLATES[n % len(TEMPLATES)]
    pid = proposal_id(n)
    terms = replace(terms, title=f"{terms.title}-{n}")
    a = replace(assessed, proposal_id=pid)
    ask = ProposalReviewed(
        proposal_id=pid, decision=Decision.REQUEST_REVISION, reviewer="r", comment="Lengkapi"
    )
    start = [ProposalSubmitted(proposal_id=pid, initiator=initiator, terms=terms), a, ask]
    revise = ProposalRevised(proposal_id=pid, terms=terms)
    variant = n % 4
    if variant in (0, 1):
        ok = ProposalReviewed(proposal_id=pid, decision=Decision.APPROVE, reviewer="r")
        legal = [
            LegalApprovalRecorded(
                proposal_id=pid, authority=auth, reference="x", date=dt.date(2026, 12, 1)
            )
            for auth in (Authority.DPRD, Authority.KEMENDAGRI, Authority.KEMENLU)
        ]
        signed = AgreementSigned(
            proposal_id=pid, signed_on=dt.date(2027, 1, 2), document_ref="PKS", signatories=("A",)
        )
        if variant == 0:
            return [*start, revise, a, ok, *legal, signed]
        ended = AgreementTerminated(proposal_id=pid, reason="r", effective_on=dt.date(2027, 6, 1))
        return [*start, revise, a, ok, *legal[:2], signed, ended]
    tail: list[Event] = [revise, a, ask, revise, a, ask]
    if variant == 2:
        return [*start, *tail, ProposalWithdrawn(proposal_id=pid, reason="Ditunda")]
    return [*start, *tail, revise]


async def load(url: str, proposals: int) -> None:
    """Write the history in waves: a wave's first halves beside the previous wave's second."""
    engine = make_engine(url)
    store = SqlEventStore(engine, CODEC)

    async def append(n: int, half: int) -> None:
        events = history(n)[half * 5 : (half + 1) * 5]
        await store.append(stream_id(proposal_id(n)), [NewEvent(e) for e in events])

    waves = range(0, proposals + WAVE, WAVE)
    for start in waves:
        firsts = [append(n, 0) for n in range(start, min(start + WAVE, proposals))]
        seconds = [append(n, 1) for n in range(max(start - WAVE, 0), min(start, proposals))]
        await asyncio.gather(*firsts, *seconds)
    # What a deployment does after a bulk import: analyse now rather than leave the plans of
    # whatever runs next to guesses until autovacuum gets round to the table.
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE events"))
    await engine.dispose()


async def read_rate(url: str) -> tuple[int, float]:
    engine = make_engine(url)
    started, count = time.perf_counter(), 0
    async for _ in SqlEventStore(engine, CODEC).read_all():
        count += 1
    await engine.dispose()
    return count, count / (time.perf_counter() - started)


async def rebuild_only(url: str) -> None:
    engine = make_engine(url)
    report = await rebuild(engine, swap=True, check=False)
    folding = fanout.processes_for(engine, PROJECTIONS, report.events_replayed)
    await engine.dispose()
    # With several folding processes this one folds a range itself and starts the others,
    # which run at once beside it: their peaks add to its own. Only the largest child's peak
    # is on record, so the sum is an upper bound.
    children = folding - 1
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if children else 0
    print(
        msgspec.json.encode(
            {
                "events": report.events_replayed,
                "seconds": report.seconds,
                "rss_mb": own_mb + children * child_mb,
                "own_rss_mb": own_mb,
                "child_rss_mb": child_mb,
                "children": children,
            }
        ).decode()
    )


def child_rebuild(url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.rebuild", "--rebuild-only", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return msgspec.json.decode(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def memory(run: dict[str, float]) -> str:
    """The peak RSS line: the rebuilding process, plus the folding processes it started."""
    total = f"{run['rss_mb']:.0f} MB (goal < 300 MB)"
    if not run["children"]:
        return total
    return (
        f"{total}, at most: {run['own_rss_mb']:.0f} MB the rebuilding process (which folds a"
        f" range itself) and {run['children']:.0f} more folding process(es) beside it of at most"
        f" {run['child_rss_mb']:.0f} MB"
    )


QUERIES: Sequence[tuple[str, ProposalFilter]] = (
    ("status=submitted", ProposalFilter(status=Status.SUBMITTED)),
    ("status=expired", ProposalFilter(status=Status.EXPIRED)),
    ("region=35.78", ProposalFilter(region="35.78")),
    ("partner_country=JP", ProposalFilter(partner_country="JP")),
    ("sdg=11", ProposalFilter(sdg="11")),
    ("sdg=13.3&status=active", ProposalFilter(sdg="13.3", status=Status.ACTIVE)),
    ("region=36.71&status=withdrawn", ProposalFilter(region="36.71", status=Status.WITHDRAWN)),
    ("q=sampah", ProposalFilter(q="sampah")),
)


async def query_latencies(url: str) -> None:
    engine = make_engine(url)
    for label, filters in QUERIES:
        timings = []
        for _ in range(QUERY_RUNS):
            started = time.perf_counter()
            await list_proposals(engine, filters, today=dt.date(2028, 6, 1))
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p50, p99 = statistics.median(timings), timings[int(len(timings) * 0.99) - 1]
        print(f"  list {label:<40} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    await engine.dispose()


async def main(events: int, rounds: int) -> None:
    proposals = max(events // EVENTS_PER_PROPOSAL, 1)
    async with database("postgresql") as db:
        await migrated(db)
        started = time.perf_counter()
        await load(db.sqlalchemy_url, proposals)
        print(
            f"\npostgresql: loaded {proposals * EVENTS_PER_PROPOSAL:,} events "
            f"({proposals:,} proposals) in {time.perf_counter() - started:.0f} s"
        )
        # Read and rebuild in turns: this machine's speed drifts by a fifth within minutes, so
        # one pair can catch the two at different speeds; the median pair is the figure.
        pairs, runs = [], []
        for turn in range(1, rounds + 1):
            count, raw = await read_rate(db.sqlalchemy_url)
            built = child_rebuild(db.sqlalchemy_url)
            rate = built["events"] / built["seconds"]
            pairs.append((rate / raw, raw, rate))
            runs.append(built)
            print(row(f"read_all alone, decoded (turn {turn})", raw, "ev/s"))
            print(row(f"rebuild of every read model (turn {turn})", rate, "ev/s", raw))
        _, raw, rate = sorted(pairs)[len(pairs) // 2]
        print(row("read_all alone, decoded (median turn)", raw, "ev/s"))
        print(row("rebuild of every read model (goal >= 0.50x)", rate, "ev/s", raw))
        ratios = sorted(ratio for ratio, *_ in pairs)
        print(f"  ratio over {len(pairs)} turns: {ratios[0]:.2f}x to {ratios[-1]:.2f}x")
        peak = max(runs, key=lambda run: run["rss_mb"])
        print(f"  rebuild peak RSS: {memory(peak)}; {count:,} events read")
        print(f"  filtered list queries, limit 50, {QUERY_RUNS} runs each (goal p99 < 20 ms):")
        await query_latencies(db.sqlalchemy_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events to load")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns of read_all then rebuild (the median counts)"
    )
    parser.add_argument("--rebuild-only", metavar="URL", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.rebuild_only:
        asyncio.run(rebuild_only(options.rebuild_only))
    else:
        asyncio.run(main(options.events, max(options.rounds, 1)))
