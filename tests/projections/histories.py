"""Realistic proposal histories written through the real command path (`handle`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from events.codec import Codec
from events.sql import SqlEventStore
from registry.commands import Command, Review, Revise, Sign, Submit, Terminate, Withdraw
from registry.event_types import EVENT_TYPES, Decision, Event
from registry.facts import Actor, Role
from registry.handling import Handled, handle
from registry.ids import ProposalId
from registry.terms import Partner, Terms
from tests.unit.builders import (
    BANDUNG,
    BANYUWANGI,
    OFFICIAL,
    SURABAYA,
    TANGERANG,
    facts,
    foreign,
    region,
    terms,
)

Store = SqlEventStore[Event]
# Banyuwangi is a party to none of these histories, so this reviewer may review them all.
REVIEWER = Actor(id="apeksi-reviewer-2", role=Role.REVIEWER, region=BANYUWANGI)
SIGNED_ON = dt.date(2027, 1, 10)


def open_store(engine: AsyncEngine) -> Store:
    return SqlEventStore(engine, Codec(EVENT_TYPES))


def official(region_code: str) -> Actor:
    return dataclasses.replace(OFFICIAL, id=f"desk-{region_code}", region=region_code)


async def run(store: Store, command: Command, actor: Actor) -> Handled:
    return await handle(command, store=store, facts=facts(actor))


async def submit(
    store: Store, t: Terms | None = None, initiator: str = TANGERANG
) -> tuple[ProposalId, Handled]:
    pid = ProposalId(uuid.uuid4())
    command = Submit(proposal_id=pid, initiator=initiator, terms=t or terms(initiator=initiator))
    return pid, await run(store, command, official(initiator))


async def review(
    store: Store, pid: ProposalId, decision: Decision, reviewer: Actor = REVIEWER
) -> Handled:
    comment = None if decision is Decision.APPROVE else "Lengkapi rencana aksi dan anggaran."
    command = Review(proposal_id=pid, decision=decision, comment=comment)
    return await run(store, command, reviewer)


async def lifecycle(store: Store, initiator: str = TANGERANG) -> tuple[ProposalId, list[Handled]]:
    """submit -> revision requested -> revised -> approved -> signed -> terminated (a KSDD)."""
    pid, submitted = await submit(store, initiator=initiator)
    actor = official(initiator)
    steps = [submitted, await review(store, pid, Decision.REQUEST_REVISION)]
    revised = terms(initiator=initiator, title="Festival kota dan city branding, direvisi")
    steps.append(await run(store, Revise(proposal_id=pid, terms=revised), actor))
    steps.append(await review(store, pid, Decision.APPROVE))
    sign = Sign(proposal_id=pid, signed_on=SIGNED_ON, document_ref="PKS/1", signatories=("A",))
    steps.append(await run(store, sign, actor))
    end = Terminate(proposal_id=pid, reason="Anggaran dialihkan", effective_on=dt.date(2028, 1, 1))
    steps.append(await run(store, end, actor))
    return pid, steps


async def varied(store: Store, n: int, seed: int = 0) -> list[ProposalId]:
    """n proposals left at different statuses, by different initiators and partners."""
    pids = []
    for i in range(n):
        initiator = (TANGERANG, SURABAYA, BANDUNG)[(i + seed) % 3]
        step = i % 5
        sister_city = i % 4 == 0 and step != 2
        partners: Sequence[Partner] = (
            (foreign("Kota Kitakyushu", "JP"),) if sister_city else (region(_other(initiator)),)
        )
        pid, _ = await submit(store, terms(partners, initiator=initiator), initiator)
        if step == 1:
            await review(store, pid, Decision.REJECT)
        elif step == 2:
            await review(store, pid, Decision.APPROVE)
        elif step == 3:
            await run(store, Withdraw(proposal_id=pid, reason="Ditunda"), official(initiator))
        pids.append(pid)
    return pids


def _other(initiator: str) -> str:
    return SURABAYA if initiator != SURABAYA else TANGERANG
