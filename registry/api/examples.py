"""Request examples for the OpenAPI document, taken from DOMAIN.md's own cases."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.openapi.spec import Example
from litestar.params import Body

from registry.bodies import (
    LegalApprovalBody,
    ProposalDraft,
    ReviewBody,
    SigningBody,
    TerminationBody,
    WithdrawalBody,
)

SISTER_CITY: dict[str, Any] = {
    "title": "Kota bersaudara Surabaya-Kitakyushu: pengelolaan sampah",
    "summary": "Alih pengetahuan pengomposan, bank sampah dan pemantauan kualitas udara.",
    "partners": [{"name": "Kota Kitakyushu", "kind": "foreign_local_government", "country": "JP"}],
    "fields": ["lingkungan_hidup", "pariwisata"],
    "benefits": [
        {"party": "35.78", "description": "Teknologi pengomposan untuk 31 kecamatan"},
        {"party": "Kota Kitakyushu", "description": "Data lapangan untuk program kota hijau"},
    ],
    "obligations": [
        {"party": "35.78", "description": "Menyediakan lahan percontohan dan petugas"},
        {"party": "Kota Kitakyushu", "description": "Mengirim dua tenaga ahli setiap tahun"},
    ],
    "legal_basis": ["UU 23/2014", "PP 28/2018"],
    "sdg_targets": ["11.6", "13.3"],
    "start_date": "2027-01-01",
    "end_date": "2029-12-31",
    "environmental_safeguards": "Kajian UKL-UPL untuk fasilitas kompos sebelum pembangunan.",
}


def _body(description: str, *examples: tuple[str, dict[str, Any]]) -> Any:
    return Body(
        media_type=RequestEncodingType.JSON,
        description=description,
        examples=[Example(summary=summary, value=value) for summary, value in examples],
    )


DraftBody = Annotated[
    ProposalDraft,
    _body("the whole proposal; a revision replaces it", ("a sister city (KSDPL)", SISTER_CITY)),
]
Review = Annotated[
    ReviewBody,
    _body(
        "approve, reject or request a revision; overrides justify approving a failing principle",
        ("approve", {"decision": "approve", "comment": "Sesuai prinsip kerja sama"}),
        (
            "request a revision",
            {"decision": "request_revision", "comment": "Rinci jadwal pelatihan per triwulan"},
        ),
    ),
]
Withdrawal = Annotated[
    WithdrawalBody, _body("why", ("postponed", {"reason": "Ditunda ke tahun anggaran 2028"}))
]
LegalApproval = Annotated[
    LegalApprovalBody,
    _body(
        "evidence of an approval the category needs before signing",
        ("DPRD", {"authority": "dprd", "reference": "DPRD-SBY/17/2026", "date": "2026-10-01"}),
    ),
]
Signing = Annotated[
    SigningBody,
    _body(
        "the signed agreement",
        (
            "signed",
            {
                "signed_on": "2026-12-15",
                "document_ref": "PKS/SBY-KKJ/2026",
                "signatories": ["Wali Kota Surabaya", "Mayor of Kitakyushu"],
            },
        ),
    ),
]
Termination = Annotated[
    TerminationBody,
    _body(
        "why and from when",
        ("by agreement", {"reason": "Kesepakatan bersama", "effective_on": "2028-06-30"}),
    ),
]
