"""Reads the whole log back from the server and holds it against the answers the clients got."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from typing import Any

import httpx

from registry.ids import STREAM_PREFIX
from tests.reliability.workload import (
    CUT_OFF,
    EVENTS_PER_COMMAND,
    NOT_CONNECTED,
    Attempt,
    Ledger,
)

Event = dict[str, Any]


async def read_log(http: httpx.AsyncClient, auditor: dict[str, str]) -> list[Event]:
    """Every event in position order, through `GET /v1/events` as an auditor."""
    events: list[Event] = []
    after: int | None = 0
    while after is not None:
        page = await http.get("/v1/events", params={"after": after, "limit": 1000}, headers=auditor)
        assert page.status_code == 200, page.text
        body = page.json()
        events += body["items"]
        after = body["next_after"]
    return events


async def wait_until_projected(http: httpx.AsyncClient, within: float) -> dict[str, Any]:
    """/ready once every projection has applied the whole log; fails after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        answer = await http.get("/ready")
        if answer.status_code == 200:
            ready: dict[str, Any] = answer.json()
            if all(p["events"] == 0 for p in ready["projections"]):
                return ready
        assert time.monotonic() < deadline, f"projections still behind: {answer.text}"
        await asyncio.sleep(0.1)


def violations(ledger: Ledger, log: list[Event]) -> list[str]:
    """Each way the log and the answers disagree; empty when nothing acknowledged was lost.

    - every acknowledged command is in the log, all its events, at the versions it answered;
    - no refused command (an error answer other than commit-outcome-unknown) appended anything;
    - every event comes from a request that was acknowledged or went unanswered, whole;
    - each stream's versions run 1, 2, 3 ... with no gap or repeat.
    """
    found: list[str] = []
    attempts = ledger.by_request()
    streams: dict[str, list[Event]] = defaultdict(list)
    for event in log:
        streams[event["stream_id"]].append(event)
    per_request = Counter(_request_of(event) for event in log)
    for request_id, count in per_request.items():
        attempt = attempts.get(request_id)
        if attempt is None:
            found.append(f"{count} event(s) from request {request_id}, which no client sent")
        elif attempt.refused:
            found.append(f"refused with {attempt.status} {attempt.problem} yet appended: {attempt}")
        elif count != EVENTS_PER_COMMAND[attempt.command]:
            found.append(f"{count} event(s) of a {attempt.command}, not all or none: {attempt}")
    for stream_id, events in streams.items():
        versions = [event["version"] for event in events]
        if versions != list(range(1, len(events) + 1)):
            found.append(f"{stream_id} has versions {versions}")
    keyed: dict[str, set[str]] = defaultdict(set)
    for attempt in ledger.attempts:
        if attempt.idempotency_key is not None:
            keyed[attempt.idempotency_key].add(attempt.request_id)
    for attempt in ledger.attempts:
        if attempt.acknowledged:
            stream = streams.get(f"{STREAM_PREFIX}{attempt.proposal_id}", [])
            found += _missing(attempt, stream, keyed)
    return found


def _missing(attempt: Attempt, stream: list[Event], keyed: dict[str, set[str]]) -> list[str]:
    assert attempt.version is not None
    if len(stream) < attempt.version:
        return [f"acknowledged at version {attempt.version}, the log has {len(stream)}: {attempt}"]
    if attempt.command == "submit":
        # A retry with the same Idempotency-Key answers with the events an earlier try appended.
        senders = keyed.get(attempt.idempotency_key or "", set()) | {attempt.request_id}
        if _request_of(stream[0]) not in senders:
            return [f"acknowledged, but its proposal was submitted by another request: {attempt}"]
        return []
    assert attempt.if_match is not None
    appended = stream[attempt.if_match : attempt.version]
    if not appended or any(_request_of(event) != attempt.request_id for event in appended):
        return [f"acknowledged, but versions after {attempt.if_match} are not its: {attempt}"]
    return []


def _request_of(event: Event) -> str:
    return str(event["metadata"].get("request_id"))


async def audit(http: httpx.AsyncClient, auditor: dict[str, str], events: int) -> list[str]:
    """The hash chain verifies over every event, and a rebuild equals the live read models."""
    found: list[str] = []
    verification = (await http.get("/v1/audit/verification", headers=auditor)).json()
    if not verification["ok"] or verification["events_checked"] != events:
        found.append(f"verification: {verification}")
    replay = await http.post("/v1/audit/replays", headers=auditor)
    report = replay.json()
    if replay.status_code != 200 or not report["ok"] or report["differences"]:
        found.append(f"replay against the live read models: {report}")
    return found


async def shown_versions(
    http: httpx.AsyncClient, auditor: dict[str, str], log: list[Event]
) -> list[str]:
    """Each proposal in the list shows the last version of its stream (read models caught up)."""
    last: dict[str, int] = {}
    for event in log:
        last[event["stream_id"].removeprefix(STREAM_PREFIX)] = event["version"]
    shown: dict[str, int] = {}
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 500}
        if cursor is not None:
            params["cursor"] = cursor
        page = await http.get("/v1/proposals", params=params, headers=auditor)
        assert page.status_code == 200, page.text
        body = page.json()
        shown.update((item["id"], item["version"]) for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    return [
        f"proposal {proposal_id} is listed at version {shown.get(proposal_id)}, the log has {v}"
        for proposal_id, v in last.items()
        if shown.get(proposal_id) != v
    ] + [f"proposal {p} is listed but has no events" for p in shown.keys() - last.keys()]


def describe(ledger: Ledger, log: list[Event]) -> str:
    """The figures of a run: events, and the answers by kind."""
    recorded = {_request_of(event) for event in log}
    statuses = Counter(str(a.status) for a in ledger.attempts if a.status and not a.acknowledged)
    cut = [a for a in ledger.attempts if a.status is None and a.problem == CUT_OFF]
    return (
        f"{len(log)} events, {ledger.count(lambda a: a.acknowledged)} commands acknowledged, "
        f"{len(cut)} cut off in flight ({sum(a.request_id in recorded for a in cut)} of them "
        f"recorded all the same), {ledger.count(lambda a: a.problem == NOT_CONNECTED)} sent "
        f"while the server was down, errors by status {dict(sorted(statuses.items()))}"
    )
