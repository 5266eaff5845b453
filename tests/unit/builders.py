"""Builders of realistic terms, states and facts for the domain tests (DOMAIN.md's examples)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from msgspec.structs import replace

from registry.commands import (
    Command,
    RecordLegalApproval,
    Review,
    Sign,
    Submit,
)
from registry.event_types import Decision, Event, Override
from registry.facts import Actor, Facts, Role
from registry.ids import ProposalId
from registry.principles import Ruleset, load_ruleset
from registry.proposal.category import Authority
from registry.proposal.decide import decide
from registry.proposal.state import Proposal, evolve, initial_state
from registry.reference import load_reference
from registry.terms import DprdApproval, Partner, PartnerKind, PartyText, Terms

REFERENCE = load_reference()
RULESET = load_ruleset()
AT = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)

TANGERANG = "36.71"
TANGERANG_SELATAN = "36.74"
SURABAYA = "35.78"
BANYUWANGI = "35.10"
BANDUNG = "32.73"
JAKARTA_PUSAT = "31.71"
DKI_JAKARTA = "31"
PID = ProposalId(uuid.UUID("0b9f6a52-3c1e-4d6b-9a51-6f0d2c8e7a41"))

OFFICIAL = Actor(id="desk-tangerang", role=Role.OFFICIAL, region=TANGERANG)
REVIEWER = Actor(id="apeksi-reviewer-1", role=Role.REVIEWER, region=BANDUNG)


def region(code: str) -> Partner:
    """A domestic region as partner, its name and kind from the Kemendagri list."""
    known = REFERENCE.regions[code]
    return Partner(name=known.name, kind=PartnerKind(known.kind), country="ID", region_code=code)


def foreign(
    name: str, country: str, kind: PartnerKind = PartnerKind.FOREIGN_LOCAL_GOVERNMENT
) -> Partner:
    """A foreign local government (a sister city) unless another kind is given."""
    return Partner(name=name, kind=kind, country=country)


def institution(name: str, country: str) -> Partner:
    return foreign(name, country, PartnerKind.FOREIGN_INSTITUTION)


def third_party(name: str, region_code: str | None = None) -> Partner:
    return Partner(name=name, kind=PartnerKind.THIRD_PARTY, country="ID", region_code=region_code)


def key_of(partner: Partner) -> str:
    return partner.region_code or partner.name


def terms(
    partners: Sequence[Partner] = (),
    *,
    initiator: str = TANGERANG,
    **changes: Any,
) -> Terms:
    """Terms that pass every principle: each party gains and gives, dated, grounded and tagged."""
    partners = tuple(partners) or (region(SURABAYA),)
    keys = [initiator, *(key_of(p) for p in partners)]
    base = Terms(
        title="Pertukaran pengalaman festival kota dan city branding",
        summary="Kota-kota berbagi cara menyelenggarakan festival dan membangun merek kota.",
        partners=partners,
        fields=("pariwisata", "kebudayaan"),
        benefits=tuple(
            PartyText(party=k, description="Belajar menyelenggarakan festival kota bertaraf dunia")
            for k in keys
        ),
        obligations=tuple(
            PartyText(party=k, description="Mengirim dua pejabat dan membiayai perjalanannya")
            for k in keys
        ),
        legal_basis=("UU 23/2014", "PP 28/2018"),
        sdg_targets=("8.9", "4.7"),
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2029, 12, 31),
    )
    return replace(base, **changes)


def sister_city_terms(**changes: Any) -> Terms:
    """Kota Surabaya's sister city Kitakyushu (JP): a KSDPL on the urban environment."""
    partners = (foreign("Kota Kitakyushu", "JP"),)
    base = terms(
        partners,
        initiator=SURABAYA,
        title="Kerja sama kota bersaudara Surabaya-Kitakyushu: pengelolaan sampah",
        fields=("lingkungan_hidup", "pariwisata"),
        sdg_targets=("11.6", "13.3"),
        environmental_safeguards="Kajian UKL-UPL untuk fasilitas kompos sebelum pembangunan.",
    )
    return replace(base, **changes)


def facts(actor: Actor = OFFICIAL, ruleset: Ruleset = RULESET) -> Facts:
    return Facts(reference=REFERENCE, ruleset=ruleset, actor=actor)


def apply(state: Proposal, events: Iterable[Event]) -> Proposal:
    for event in events:
        state = evolve(state, event, AT)
    return state


def run(*steps: tuple[Command, Actor], state: Proposal | None = None) -> Proposal:
    """The state after deciding and folding each (command, actor) in turn."""
    state = state or initial_state()
    for command, actor in steps:
        state = apply(state, decide(command, state, facts(actor)))
    return state


def submit(t: Terms | None = None, initiator: str = TANGERANG) -> tuple[Command, Actor]:
    actor = dataclasses.replace(OFFICIAL, region=initiator)
    return Submit(proposal_id=PID, initiator=initiator, terms=t or terms()), actor


def review(
    decision: Decision, comment: str | None = "Lengkapi rencana aksi.", *overrides: Override
) -> tuple[Command, Actor]:
    command = Review(proposal_id=PID, decision=decision, comment=comment, overrides=overrides)
    return command, REVIEWER


def approval(authority: Authority) -> tuple[Command, Actor]:
    command = RecordLegalApproval(
        proposal_id=PID, authority=authority, reference=f"{authority}/2026/17", date=AT.date()
    )
    return command, OFFICIAL


def sign(on: dt.date = dt.date(2026, 12, 15)) -> tuple[Command, Actor]:
    command = Sign(
        proposal_id=PID, signed_on=on, document_ref="PKS/17/2026", signatories=("Wali Kota",)
    )
    return command, OFFICIAL


def with_dprd(t: Terms) -> Terms:
    return replace(
        t, dprd_approval=DprdApproval(reference="DPRD 12/2026", date=dt.date(2026, 10, 1))
    )


def ticking_clock() -> Callable[[], dt.datetime]:
    minutes: Iterator[int] = itertools.count()
    start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    return lambda: start + dt.timedelta(minutes=next(minutes))
