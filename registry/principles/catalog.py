"""The finding codes: stable identifiers, their severity and their messages in two languages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from registry.principles.model import Finding, Verdict

FAIL = Verdict.FAIL
REVIEW = Verdict.NEEDS_REVIEW


@dataclass(frozen=True, slots=True)
class Spec:
    """How a finding code reads; `{name}` placeholders are filled from the finding's values."""

    severity: Verdict
    en: str
    id: str


# Codes are never reused or renumbered: stored assessments and clients refer to them.
CATALOG: dict[str, Spec] = {
    "MB001": Spec(
        FAIL,
        "{party_name} states no benefit from the cooperation; every party must gain from it "
        "(saling menguntungkan, UU 23/2014 Pasal 363).",
        "{party_name} tidak menyatakan manfaat apa pun dari kerja sama ini; setiap pihak harus "
        "memperoleh manfaat (saling menguntungkan, UU 23/2014 Pasal 363).",
    ),
    "MB002": Spec(
        REVIEW,
        "The benefit stated for {party_name} is only a token ('{description}'); describe what the "
        "party gains in at least {min_chars} characters.",
        "Manfaat yang dinyatakan untuk {party_name} hanya formalitas ('{description}'); uraikan "
        "manfaat yang diperoleh pihak itu sekurang-kurangnya {min_chars} karakter.",
    ),
    "LC001": Spec(
        FAIL,
        "Field {field} is an absolute government affair reserved to the central government "
        "(UU 23/2014 Pasal 10); no region may cooperate in it.",
        "Bidang {field} adalah urusan pemerintahan absolut yang menjadi kewenangan Pemerintah "
        "Pusat (UU 23/2014 Pasal 10); daerah tidak dapat bekerja sama dalam urusan ini.",
    ),
    "LC002": Spec(
        FAIL,
        "The end date {end_date} is not after the start date {start_date}.",
        "Tanggal berakhir {end_date} tidak jatuh setelah tanggal mulai {start_date}.",
    ),
    "LC003": Spec(
        FAIL,
        "No legal basis is cited; name the laws and regulations the cooperation rests on "
        "(for example UU 23/2014, PP 28/2018).",
        "Dasar hukum tidak dicantumkan; sebutkan peraturan perundang-undangan yang menjadi dasar "
        "kerja sama (misalnya UU 23/2014, PP 28/2018).",
    ),
    "LC004": Spec(
        REVIEW,
        "The term from {start_date} to {end_date} is longer than the configured maximum of "
        "{max_years} years; a reviewer must confirm that such a term is lawful.",
        "Jangka waktu {start_date} sampai {end_date} melebihi batas yang ditetapkan, yaitu "
        "{max_years} tahun; peninjau harus memastikan jangka waktu itu sah.",
    ),
    "LC005": Spec(
        REVIEW,
        "No field ({fields}) fits the objects allowed with foreign partners (UU 23/2014 Pasal 367: "
        "science and technology, cultural exchange, technical and government-management "
        "capacity, promotion of regional potential).",
        "Tidak ada bidang ({fields}) yang sesuai dengan objek kerja sama dengan pihak luar negeri "
        "(UU 23/2014 Pasal 367: ilmu pengetahuan dan teknologi, pertukaran budaya, peningkatan "
        "kemampuan teknis dan manajemen pemerintahan, promosi potensi daerah).",
    ),
    "EQ001": Spec(
        FAIL,
        "{name} ({party}) is an administrative unit of DKI Jakarta, not an autonomous region, "
        "and cannot be a party; the Province of DKI Jakarta ({province}) must act for it.",
        "{name} ({party}) adalah wilayah administratif DKI Jakarta, bukan daerah otonom, "
        "sehingga tidak dapat menjadi pihak; Provinsi DKI Jakarta ({province}) yang bertindak.",
    ),
    "EQ002": Spec(
        REVIEW,
        "{party_name} carries no obligation, so the terms are one-sided (persamaan kedudukan).",
        "{party_name} tidak memikul kewajiban apa pun sehingga ketentuannya berat sebelah "
        "(persamaan kedudukan).",
    ),
    "PS001": Spec(
        FAIL,
        "Field {field} belongs to foreign policy, defence or security, which cannot be the "
        "object of regional cooperation.",
        "Bidang {field} termasuk politik luar negeri, pertahanan atau keamanan, yang tidak dapat "
        "menjadi objek kerja sama daerah.",
    ),
    "PS002": Spec(
        REVIEW,
        "The title or summary mentions '{word}'; a reviewer must confirm that the cooperation "
        "does not touch political stability or security.",
        "Judul atau ringkasan usulan memuat kata '{word}'; peninjau harus memastikan kerja sama "
        "ini tidak menyangkut stabilitas politik dan keamanan.",
    ),
    "SOV001": Spec(
        FAIL,
        "{partner} is in {country_name} ({country}), with which Indonesia has no diplomatic "
        "relations; the cooperation would not respect the sovereignty of NKRI.",
        "{partner} berada di {country_name} ({country}), yang tidak memiliki hubungan diplomatik "
        "dengan Indonesia; kerja sama ini tidak menghormati kedaulatan NKRI.",
    ),
    "SOV002": Spec(
        REVIEW,
        "{partner} is in {country_name} ({country}), a disputed or partly recognised entity; "
        "the position of the Ministry of Foreign Affairs must be confirmed.",
        "{partner} berada di {country_name} ({country}), wilayah yang disengketakan atau tidak "
        "diakui sepenuhnya; sikap Kementerian Luar Negeri harus dipastikan.",
    ),
    "ENV001": Spec(
        REVIEW,
        "The cooperation touches the environment (fields: {fields}; SDG goals: {goals}) but "
        "states no environmental safeguards.",
        "Kerja sama ini menyangkut lingkungan hidup (bidang: {fields}; tujuan TPB: {goals}) "
        "tetapi tidak menyebutkan upaya perlindungan lingkungan.",
    ),
    "SDG001": Spec(
        FAIL,
        "No SDG target is named; a proposal must say which SDG targets it serves.",
        "Tidak ada target TPB/SDGs yang disebutkan; usulan harus menyatakan target yang didukung.",
    ),
    "SDG002": Spec(
        REVIEW,
        "None of the SDG goals named ({goals}) relates to a field of the cooperation ({fields}).",
        "Tidak satu pun tujuan TPB yang disebutkan ({goals}) berkaitan dengan bidang kerja sama "
        "({fields}).",
    ),
}


def finding(code: str, **values: object) -> Finding:
    """A finding of a catalogued code, its messages filled in with the offending values."""
    spec = CATALOG[code]
    text = {name: str(value) for name, value in values.items()}
    return Finding(
        code=code,
        severity=spec.severity,
        message_en=spec.en.format_map(text),
        message_id=spec.id.format_map(text),
        values=text,
    )


def listing(items: Iterable[object]) -> str:
    """A collection as one finding value: `a, b`, or `-` when it is empty."""
    return ", ".join(str(i) for i in items) or "-"
