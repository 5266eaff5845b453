"""Bad input is caught at the edge, with the path of the field, and never reaches the store."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import msgspec
import pytest

from registry.bodies import ProposalDraft, ReviewBody, SigningBody, WithdrawalBody
from registry.commands import Submit
from registry.errors import FieldError, MalformedBody, ValidationFailed
from registry.ids import ProposalId
from registry.validation import decode_body, parse_draft, validate_review
from tests.unit.builders import REFERENCE, SURABAYA, TANGERANG

DRAFT: dict[str, Any] = {
    "title": "Kota kembar Surabaya-Kitakyushu",
    "summary": "Pengelolaan sampah dan kota hijau.",
    "partners": [
        {"name": "Kota Kitakyushu", "kind": "foreign_local_government", "country": "JP"},
        {"name": "Kota Surabaya", "kind": "city", "country": "ID", "region_code": SURABAYA},
    ],
    "fields": ["lingkungan_hidup"],
    "benefits": [{"party": TANGERANG, "description": "Teknologi kompos skala kota"}],
    "obligations": [{"party": TANGERANG, "description": "Mengirim tenaga ahli"}],
    "legal_basis": ["UU 23/2014", "PP 28/2018"],
    "sdg_targets": ["11.6"],
    "start_date": "2027-01-01",
    "end_date": "2029-12-31",
    "environmental_safeguards": None,
    "dprd_approval": {"reference": "DPRD 12/2026", "date": "2026-10-01"},
}


def draft(**changes: Any) -> bytes:
    body = copy.deepcopy(DRAFT)
    body.update(changes)
    return msgspec.json.encode(body)


def errors_of(raw: bytes) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as failed:
        parse_draft(raw, REFERENCE, TANGERANG)
    return list(failed.value.errors)


def test_a_complete_draft_becomes_a_submit_command_with_its_terms() -> None:
    parsed = parse_draft(draft(), REFERENCE, TANGERANG)
    command = parsed.to_submit(ProposalId(uuid.uuid4()), TANGERANG)
    assert isinstance(command, Submit)
    assert command.terms.partners[0].region_code is None
    assert str(command.terms.dprd_approval.date if command.terms.dprd_approval else "") == (
        "2026-10-01"
    )


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (draft(title=7), "title", "Expected `str`, got `int`"),
        (draft(title="   "), "title", "must not be blank"),
        (draft(title="x" * 201), "title", "Expected `str` of length <= 200"),
        (draft(start_date="01-01-2027"), "start_date", "must be a date written YYYY-MM-DD"),
        (draft(surprise=True), "surprise", "Object contains unknown field `surprise`"),
        (draft(partners=[]), "partners", "Expected `array` of length >= 1"),
        (
            draft(partners=[{"name": "Kota Kitakyushu", "kind": "sister", "country": "JP"}]),
            "partners[0].kind",
            "Invalid enum value 'sister'",
        ),
        (
            draft(partners=[{"name": "Kitakyushu", "kind": "city", "country": "jp"}]),
            "partners[0].country",
            "must be an ISO 3166-1 alpha-2 code, e.g. JP",
        ),
        (
            draft(partners=[{"name": "K", "kind": "city", "country": "ID", "color": "red"}]),
            "partners[0].color",
            "Object contains unknown field `color`",
        ),
        (draft(sdg_targets=["eleven"]), "sdg_targets[0]", "must be an SDG target code, e.g. 11.6"),
        (draft(fields=["Pendidikan"]), "fields[0]", "must be an urusan code, e.g. pendidikan"),
    ],
)
def test_what_msgspec_catches_is_reported_at_the_field_path(
    raw: bytes, field: str, message: str
) -> None:
    assert errors_of(raw) == [FieldError(field, message)]


def test_a_missing_field_is_reported_by_its_name() -> None:
    body = copy.deepcopy(DRAFT)
    del body["partners"][0]["country"]
    assert errors_of(msgspec.json.encode(body)) == [
        FieldError("partners[0].country", "Object missing required field `country`")
    ]


def test_a_body_that_is_not_json_is_malformed_not_invalid() -> None:
    with pytest.raises(MalformedBody):
        decode_body(b'{"reason": ', WithdrawalBody)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sdg_targets": ["11.6", "18.1"]}, "sdg_targets[1]"),
        ({"sdg_targets": ["11.6", "11.6"]}, "sdg_targets[1]"),
        ({"fields": ["lingkungan_hidup", "sihir"]}, "fields[1]"),
        ({"partners": [{"name": "X", "kind": "city", "country": "ID", "region_code": "36.99"}]},
         "partners[0].region_code"),
        ({"partners": [{"name": "X", "kind": "regency", "country": "ID", "region_code": SURABAYA}]},
         "partners[0].region_code"),
        ({"partners": [{"name": "Kota Surabaya", "kind": "city", "country": "ID"}]},
         "partners[0].region_code"),
        ({"partners": [{"name": "Kota Surabaya", "kind": "city", "country": "MY",
                        "region_code": SURABAYA}]}, "partners[0].country"),
        ({"partners": [{"name": "Atlantis", "kind": "foreign_local_government",
                        "country": "QQ"}]}, "partners[0].country"),
        ({"partners": [{"name": "Kota Bogor", "kind": "foreign_institution", "country": "ID"}]},
         "partners[0].country"),
        ({"partners": [{"name": "Tangerang", "kind": "city", "country": "ID",
                        "region_code": TANGERANG}]}, "partners[0].region_code"),
        ({"partners": [DRAFT["partners"][0], DRAFT["partners"][0]]}, "partners[1]"),
        ({"benefits": [{"party": "Kota Bandung", "description": "Ikut festival"}]},
         "benefits[0].party"),
    ],
)  # fmt: skip
def test_what_only_the_reference_data_can_tell_is_reported_at_the_field_path(
    changes: dict[str, Any], field: str
) -> None:
    assert [e.field for e in errors_of(draft(**changes))] == [field]


def test_an_absolute_affair_is_accepted_as_input_so_the_record_shows_why_it_fails() -> None:
    parsed = parse_draft(draft(fields=["pertahanan"]), REFERENCE, TANGERANG)
    assert parsed.fields == ("pertahanan",)


def test_a_partner_in_kosovo_is_accepted_as_input_for_review() -> None:
    partner = {"name": "Prishtina", "kind": "foreign_local_government", "country": "XK"}
    assert parse_draft(draft(partners=[partner]), REFERENCE, TANGERANG).partners[0].country == "XK"


def test_every_problem_is_reported_at_once() -> None:
    raw = draft(fields=["sihir"], sdg_targets=["18.1"])
    assert [e.field for e in errors_of(raw)] == ["fields[0]", "sdg_targets[0]"]


def test_a_review_decision_must_be_one_of_the_three() -> None:
    with pytest.raises(ValidationFailed) as failed:
        decode_body(b'{"decision": "endorse"}', ReviewBody)
    assert failed.value.errors[0].field == "decision"


def test_an_override_names_a_known_principle_once() -> None:
    raw = msgspec.json.encode(
        {
            "decision": "approve",
            "overrides": [
                {"principle": "sovereignty", "justification": "Sesuai arahan Kemenlu"},
                {"principle": "sovereignty", "justification": "Sekali lagi"},
            ],
        }
    )
    assert validate_review(decode_body(raw, ReviewBody)) == [
        FieldError("overrides[1].principle", "is overridden twice")
    ]
    with pytest.raises(ValidationFailed):
        decode_body(b'{"decision": "approve", "overrides": [{"principle": "x", '
                    b'"justification": "y"}]}', ReviewBody)  # fmt: skip


def test_signing_needs_at_least_one_signatory() -> None:
    raw = b'{"signed_on": "2026-12-15", "document_ref": "PKS/1", "signatories": []}'
    with pytest.raises(ValidationFailed) as failed:
        decode_body(raw, SigningBody)
    assert failed.value.errors[0].field == "signatories"


def test_the_draft_type_decodes_a_body_through_its_own_decoder() -> None:
    assert isinstance(decode_body(draft(), ProposalDraft), ProposalDraft)
