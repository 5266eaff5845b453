"""Clients that submit, review and revise proposals while the server or its database fails.

Every request carries its own X-Request-ID, which the server stores in each event's metadata;
the ledger keeps how each request was answered, so the log can be checked against the answers.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic as now
from typing import Any

import httpx
import msgspec

from tests.unit.builders import terms

OUTCOME_UNKNOWN = "/problems/commit-outcome-unknown"
DATABASE_UNAVAILABLE = "/problems/database-unavailable"
# Why a request has no answer, where an answered one has its problem type.
NOT_CONNECTED = "not connected"
CUT_OFF = "cut off"
# Events each command appends: submission and revision are each followed by their assessment.
EVENTS_PER_COMMAND = {"submit": 2, "revise": 2, "review": 1}
# While the server is down every connect is refused at once: a short pause keeps us from spinning.
PAUSE_AFTER_FAILURE = 0.05


@dataclass(frozen=True, slots=True)
class Attempt:
    """One request and how it was answered; `status` None is no answer (cut, refused, timed out)."""

    request_id: str
    command: str
    proposal_id: str | None
    if_match: int | None
    idempotency_key: str | None
    status: int | None
    problem: str | None  # the problem type of an error answer; with no answer, the reason
    retry_after: str | None
    version: int | None
    answered_at: float  # time.monotonic() when the answer (or the failure) came

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        """An error answer that promises nothing was appended (all of them but outcome-unknown)."""
        return self.status is not None and not self.acknowledged and self.problem != OUTCOME_UNKNOWN

    @property
    def may_have_appended(self) -> bool:
        return not self.acknowledged and not self.refused


@dataclass
class Ledger:
    attempts: list[Attempt] = field(default_factory=list)

    def by_request(self) -> dict[str, Attempt]:
        return {attempt.request_id: attempt for attempt in self.attempts}

    def count(self, predicate: Callable[[Attempt], bool]) -> int:
        return sum(1 for attempt in self.attempts if predicate(attempt))


@dataclass
class Proposal:
    id: str
    version: int
    status: str


class Client:
    """One official's desk and one reviewer, taking proposals from submission to approval.

    Each proposal is sent back for revision once, revised, then approved. After any answer that
    leaves the outcome open (none, a 503, a 412), the client reads the proposal and goes on from
    what the server says, as a real client would.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        official: str,
        reviewer: str,
        region: str,
        rng: random.Random,
        ledger: Ledger,
    ) -> None:
        self.http = http
        self.official = {"Authorization": f"Bearer {official}"}
        self.reviewer = {"Authorization": f"Bearer {reviewer}"}
        self.region = region
        self.rng = rng
        self.ledger = ledger

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            proposal = await self.submit(stop)
            if proposal is not None:
                await self.follow(proposal, stop)

    async def submit(self, stop: asyncio.Event) -> Proposal | None:
        """A new proposal; with an Idempotency-Key half the time, retried until it is answered."""
        key = str(uuid.uuid4()) if self.rng.random() < 0.5 else None
        body = msgspec.to_builtins(terms(initiator=self.region))
        while not stop.is_set():
            attempt, answer = await self.send(
                "submit", None, None, key, "POST", "/v1/proposals", body, self.official
            )
            if attempt.acknowledged:
                return Proposal(answer["id"], answer["version"], answer["status"])
            if key is None and attempt.status is None:
                return None  # its id died with the answer: the log check accounts for it
            await self.back_off(attempt)
        return None

    async def follow(self, proposal: Proposal, stop: asyncio.Event) -> None:
        revised = False
        while not stop.is_set() and proposal.status != "approved":
            if proposal.status == "submitted":
                decision = "approve" if revised else "request_revision"
                command, body = "review", {"decision": decision, "comment": "dinilai"}
                path, headers = "reviews", self.reviewer
            elif proposal.status == "revision_requested":
                title = f"Pertukaran pengalaman festival kota, revisi {self.rng.randrange(1000)}"
                command, body = "revise", msgspec.to_builtins(terms(initiator=self.region))
                body["title"] = title
                path, headers = "revisions", self.official
            else:
                return
            attempt, answer = await self.send(
                command,
                proposal.id,
                proposal.version,
                None,
                "POST",
                f"/v1/proposals/{proposal.id}/{path}",
                body,
                {**headers, "If-Match": f'"{proposal.version}"'},
            )
            if attempt.acknowledged:
                revised = revised or command == "revise"
                proposal = Proposal(proposal.id, answer["version"], answer["status"])
                continue
            await self.back_off(attempt)
            if attempt.problem == DATABASE_UNAVAILABLE:
                continue  # it promises nothing was recorded: the same command again is right
            current = await self.read(proposal.id, stop)
            if current is None:
                return
            revised = revised or current.version > 3  # past submission and the first review
            proposal = current

    async def read(self, proposal_id: str, stop: asyncio.Event) -> Proposal | None:
        """The proposal as the server has it now; asked again until the server answers."""
        while not stop.is_set():
            try:
                answer = await self.http.get(f"/v1/proposals/{proposal_id}", headers=self.official)
            except httpx.TransportError:
                await asyncio.sleep(PAUSE_AFTER_FAILURE)
                continue
            if answer.status_code == 200:
                shown = answer.json()
                return Proposal(shown["id"], shown["version"], shown["status"])
            await asyncio.sleep(PAUSE_AFTER_FAILURE)
        return None

    async def send(
        self,
        command: str,
        proposal_id: str | None,
        if_match: int | None,
        key: str | None,
        method: str,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str],
    ) -> tuple[Attempt, Any]:
        request_id = str(uuid.uuid4())
        headers = {**headers, "X-Request-ID": request_id}
        if key is not None:
            headers["Idempotency-Key"] = key
        try:
            answer = await self.http.request(method, path, json=body, headers=headers)
        except httpx.TransportError as failure:
            # Never sent (the server was down) or cut off on the way: both leave no answer.
            cause = NOT_CONNECTED if isinstance(failure, httpx.ConnectError) else CUT_OFF
            attempt = Attempt(
                request_id, command, proposal_id, if_match, key, None, cause, None, None, now()
            )
            self.ledger.attempts.append(attempt)
            return attempt, None
        ok = 200 <= answer.status_code < 300
        # Every answer of ours is JSON; a 2xx that is not fails the test right here.
        shown = answer.json() if ok or _is_json(answer) else {}
        attempt = Attempt(
            request_id,
            command,
            shown["id"] if ok and command == "submit" else proposal_id,
            if_match,
            key,
            answer.status_code,
            None if ok else shown.get("type"),
            answer.headers.get("retry-after"),
            shown["version"] if ok else None,
            now(),
        )
        self.ledger.attempts.append(attempt)
        return attempt, shown

    async def back_off(self, attempt: Attempt) -> None:
        wait = PAUSE_AFTER_FAILURE
        if attempt.status in (429, 503) and attempt.retry_after:
            # Retry-After says seconds; a test waits a fraction of it to keep the load on.
            wait = min(float(attempt.retry_after), 1.0) / 4
        await asyncio.sleep(wait)


def _is_json(answer: httpx.Response) -> bool:
    return "json" in answer.headers.get("content-type", "")
