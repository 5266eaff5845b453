"""The demo of DOMAIN.md: realistic proposals taken through the same command path as the API."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from events.envelope import Metadata
from events.store import EventStore
from registry.commands import (
    Command,
    RecordLegalApproval,
    Review,
    Revise,
    Sign,
    Submit,
    Withdraw,
)
from registry.event_types import Decision, Event
from registry.facts import Actor, Facts, Role
from registry.handling import handle
from registry.ids import ProposalId, stream_id
from registry.principles.ruleset import Ruleset
from registry.proposal.category import Authority
from registry.reference import Reference
from registry.terms import DprdApproval, Partner, PartnerKind, PartyText, Terms

# Fixed ids: a second `kerjasama demo` finds the first proposal and leaves the data alone.
_NAMESPACE = uuid.UUID("0d6c3d1e-8a47-4f0e-9c61-2f4b7e5a9c10")
REVIEWER = Actor(id="demo-apeksi-reviewer", role=Role.REVIEWER, region="15.71")
START, END = dt.date(2027, 1, 1), dt.date(2029, 12, 31)


def proposal_id(name: str) -> ProposalId:
    return ProposalId(uuid.uuid5(_NAMESPACE, name))


def official(region: str) -> Actor:
    return Actor(id=f"demo-official-{region}", role=Role.OFFICIAL, region=region)


def domestic(reference: Reference, code: str) -> Partner:
    known = reference.regions[code]
    return Partner(name=known.name, kind=PartnerKind(known.kind), country="ID", region_code=code)


def abroad(name: str, country: str) -> Partner:
    return Partner(name=name, kind=PartnerKind.FOREIGN_LOCAL_GOVERNMENT, country=country)


def both_ways(parties: Sequence[str], benefit: str, obligation: str) -> dict[str, object]:
    return {
        "benefits": tuple(PartyText(party=p, description=benefit) for p in parties),
        "obligations": tuple(PartyText(party=p, description=obligation) for p in parties),
    }


@dataclass(frozen=True, slots=True)
class Step:
    command: Command
    actor: Actor


def _terms(title: str, summary: str, partners: tuple[Partner, ...], **rest: object) -> Terms:
    values: dict[str, object] = {
        "legal_basis": ("UU 23/2014", "PP 28/2018"),
        "start_date": START,
        "end_date": END,
        **rest,
    }
    return Terms(title=title, summary=summary, partners=partners, **values)  # type: ignore[arg-type]


def scenarios(reference: Reference) -> list[list[Step]]:
    """Sister cities, city-to-city, a third party, a sovereignty failure, a review case."""
    return [
        _sister_city(reference),
        _city_branding(reference),
        _digital_mindset(reference),
        _sovereignty_failure(reference),
        _coastal_needs_review(reference),
        _withdrawn(reference),
    ]


def _sister_city(reference: Reference) -> list[Step]:
    pid, surabaya = proposal_id("surabaya-kitakyushu"), official("35.78")
    terms = _terms(
        "Kota bersaudara Surabaya-Kitakyushu: pengelolaan sampah dan kota hijau",
        "Alih pengetahuan pengomposan, bank sampah dan pemantauan kualitas udara.",
        (abroad("Kota Kitakyushu", "JP"),),
        fields=("lingkungan_hidup", "pariwisata"),
        sdg_targets=("11.6", "13.3"),
        environmental_safeguards="Kajian UKL-UPL untuk fasilitas kompos sebelum pembangunan.",
        dprd_approval=DprdApproval(reference="DPRD-SBY/17/2026", date=dt.date(2026, 10, 1)),
        **both_ways(
            ["35.78", "Kota Kitakyushu"],
            "Teknologi pengomposan dan data udara yang dipakai kedua kota",
            "Mengirim tenaga ahli dua kali setahun dan menanggung biayanya",
        ),
    )
    approvals = [
        RecordLegalApproval(proposal_id=pid, authority=authority, reference=ref, date=day)
        for authority, ref, day in (
            (Authority.DPRD, "DPRD-SBY/17/2026", dt.date(2026, 10, 1)),
            (Authority.KEMENDAGRI, "100.4.4/1234/OTDA", dt.date(2026, 11, 2)),
            (Authority.KEMENLU, "B-987/HI/11/2026", dt.date(2026, 11, 9)),
        )
    ]
    return [
        Step(Submit(proposal_id=pid, initiator="35.78", terms=terms), surabaya),
        Step(Review(proposal_id=pid, decision=Decision.APPROVE, comment="Layak"), REVIEWER),
        *(Step(approval, surabaya) for approval in approvals),
        Step(
            Sign(
                proposal_id=pid,
                signed_on=dt.date(2026, 12, 15),
                document_ref="PKS/SBY-KKJ/2026",
                signatories=("Wali Kota Surabaya", "Mayor of Kitakyushu"),
            ),
            surabaya,
        ),
    ]


def _city_branding(reference: Reference) -> list[Step]:
    pid, tangerang = proposal_id("tangerang-tangsel"), official("36.71")
    terms = _terms(
        "Tangerang LIVE dan city branding Tangerang Selatan",
        "Kota Tangerang berbagi penyelenggaraan 22 festival setahun; Tangerang Selatan "
        "melatih aparatur dalam city branding.",
        (domestic(reference, "36.74"),),
        fields=("pariwisata", "kebudayaan"),
        sdg_targets=("8.9", "11.4"),
        **both_ways(
            ["36.71", "36.74"],
            "Aparatur terlatih menyelenggarakan festival dan membangun merek kota",
            "Menyediakan pelatih dan tempat pelatihan secara bergantian",
        ),
    )
    revised = _terms(
        terms.title,
        terms.summary + " Jadwal pelatihan dirinci per triwulan.",
        terms.partners,
        fields=terms.fields,
        sdg_targets=terms.sdg_targets,
        benefits=terms.benefits,
        obligations=terms.obligations,
    )
    return [
        Step(Submit(proposal_id=pid, initiator="36.71", terms=terms), tangerang),
        Step(
            Review(
                proposal_id=pid,
                decision=Decision.REQUEST_REVISION,
                comment="Mohon rinci jadwal pelatihan",
            ),
            REVIEWER,
        ),
        Step(Revise(proposal_id=pid, terms=revised), tangerang),
        Step(Review(proposal_id=pid, decision=Decision.APPROVE, comment="Jadwal jelas"), REVIEWER),
    ]


def _digital_mindset(reference: Reference) -> list[Step]:
    pid = proposal_id("banyuwangi-digital")
    university = Partner(
        name="Universitas Airlangga",
        kind=PartnerKind.THIRD_PARTY,
        country="ID",
        region_code="35.78",
    )
    terms = _terms(
        "Pelatihan digital mindset untuk 400 fasilitator masyarakat",
        "Kabupaten Banyuwangi dan Universitas Airlangga melatih fasilitator desa.",
        (university,),
        fields=("pemberdayaan_masyarakat_desa", "komunikasi_informatika"),
        sdg_targets=("4.4", "17.8"),
        **both_ways(
            ["35.10", "Universitas Airlangga"],
            "Fasilitator desa yang cakap digital dan bahan ajar terbuka",
            "Menyediakan pengajar, modul dan tempat pelatihan",
        ),
    )
    return [Step(Submit(proposal_id=pid, initiator="35.10", terms=terms), official("35.10"))]


def _sovereignty_failure(reference: Reference) -> list[Step]:
    pid = proposal_id("bandar-lampung-haifa")
    terms = _terms(
        "Pertukaran teknologi irigasi tetes",
        "Usulan kerja sama teknologi pertanian perkotaan.",
        (abroad("Kota Haifa", "IL"),),
        fields=("pertanian",),
        sdg_targets=("2.4",),
        environmental_safeguards="Pemakaian air dipantau dinas lingkungan hidup.",
        **both_ways(
            ["18.71", "Kota Haifa"],
            "Teknologi irigasi hemat air untuk kebun kota",
            "Menyediakan lahan percontohan dan tenaga ahli",
        ),
    )
    return [Step(Submit(proposal_id=pid, initiator="18.71", terms=terms), official("18.71"))]


def _coastal_needs_review(reference: Reference) -> list[Step]:
    pid = proposal_id("batam-pangkal-pinang")
    terms = _terms(
        "Pengelolaan kawasan pesisir dan perikanan tangkap",
        "Kota Batam dan Kota Pangkal Pinang menyusun rencana pengelolaan pesisir bersama.",
        (domestic(reference, "19.71"),),
        fields=("kelautan_perikanan",),
        sdg_targets=("14.2",),
        **both_ways(
            ["21.71", "19.71"],
            "Rencana zonasi pesisir yang disepakati dan data tangkapan bersama",
            "Menugaskan penyuluh perikanan dan berbagi data tangkapan",
        ),
    )
    return [Step(Submit(proposal_id=pid, initiator="21.71", terms=terms), official("21.71"))]


def _withdrawn(reference: Reference) -> list[Step]:
    pid, surakarta = proposal_id("surakarta-bau-bau"), official("33.72")
    terms = _terms(
        "Promosi budaya keraton bersama",
        "Festival budaya keraton Surakarta dan Buton.",
        (domestic(reference, "74.72"),),
        fields=("kebudayaan", "pariwisata"),
        sdg_targets=("11.4",),
        **both_ways(
            ["33.72", "74.72"],
            "Promosi wisata budaya ke pasar nasional",
            "Membiayai pertunjukan dan promosi bersama",
        ),
    )
    return [
        Step(Submit(proposal_id=pid, initiator="33.72", terms=terms), surakarta),
        Step(Withdraw(proposal_id=pid, reason="Ditunda ke tahun anggaran 2028"), surakarta),
    ]


async def load_demo(store: EventStore[Event], reference: Reference, ruleset: Ruleset) -> int:
    """Run every scenario's commands through `handle`; the number of commands run (0: loaded)."""
    plans = scenarios(reference)
    first = plans[0][0].command.proposal_id
    if await store.read_stream(stream_id(first)):
        return 0
    ran = 0
    for plan in plans:
        for step in plan:
            await handle(
                step.command,
                store=store,
                facts=Facts(reference=reference, ruleset=ruleset, actor=step.actor),
                metadata=Metadata(correlation_id=f"demo-{step.command.proposal_id}"),
            )
            ran += 1
    return ran
