"""Input checks at the edge: body decoding with field paths, and what types alone cannot catch."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from typing import Any, TypeVar

import msgspec

from registry.bodies import BODY_TYPES, PartnerBody, PartyTextBody, ProposalDraft, ReviewBody
from registry.errors import FieldError, MalformedBody, ValidationFailed
from registry.reference import Reference
from registry.terms import FOREIGN_KINDS, INDONESIA, REGION_KINDS, PartnerKind

T = TypeVar("T")

_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {
    body: msgspec.json.Decoder(body) for body in BODY_TYPES
}

_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_NAMED_FIELD = re.compile(r"^Object (?:contains unknown|missing required) field `(?P<name>[^`]+)`$")

# msgspec names the violated pattern; a client should read what the value should look like.
_READABLE = {
    r"Expected `str` matching regex '\\S'": "must not be blank",
    r"Expected `str` matching regex '^[A-Z]{2}$'": "must be an ISO 3166-1 alpha-2 code, e.g. JP",
    r"Expected `str` matching regex '^\\d{2}(\\.\\d{2})?$'": (
        "must be a Kemendagri region code, e.g. 36.71"
    ),
    r"Expected `str` matching regex '^\\d{1,2}\\.[0-9a-z]{1,2}$'": (
        "must be an SDG target code, e.g. 11.6"
    ),
    r"Expected `str` matching regex '^[a-z][a-z_]*$'": "must be an urusan code, e.g. pendidikan",
    "Invalid RFC3339 encoded date": "must be a date written YYYY-MM-DD",
}


def field_error(message: str) -> FieldError:
    """A msgspec message as a FieldError whose path reads `partners[0].country`, without `$.`."""
    match = _AT.match(message)
    text = match.group("message") if match else message
    path = (match.group("path") or "") if match else ""
    path = path.removeprefix(".")
    named = _NAMED_FIELD.match(text)
    if named is not None:
        path = f"{path}.{named.group('name')}" if path else named.group("name")
    return FieldError(field=path, message=_READABLE.get(text, text))


def decode_body(raw: bytes, body_type: type[T]) -> T:
    """Decode a request body; ValidationFailed with the field's path, MalformedBody if not JSON."""
    decoder = _DECODERS.get(body_type)
    if decoder is None:
        decoder = _DECODERS[body_type] = msgspec.json.Decoder(body_type)
    try:
        body: T = decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise ValidationFailed([field_error(str(error))]) from error
    except msgspec.DecodeError as error:
        raise MalformedBody(f"the body is not valid JSON: {error}") from error
    return body


def parse_draft(raw: bytes, reference: Reference, initiator: str) -> ProposalDraft:
    """Decode and validate a proposal body; ValidationFailed lists every problem found."""
    draft = decode_body(raw, ProposalDraft)
    errors = validate_draft(draft, reference, initiator)
    if errors:
        raise ValidationFailed(errors)
    return draft


def validate_draft(draft: ProposalDraft, reference: Reference, initiator: str) -> list[FieldError]:
    """What the types cannot catch: unknown codes, inconsistent or repeated partners, strangers."""
    errors: list[FieldError] = []
    if initiator not in reference.regions:
        errors.append(FieldError("initiator", f"{initiator} is not a Kemendagri region code"))
    for index, partner in enumerate(draft.partners):
        errors.extend(_partner_errors(f"partners[{index}]", partner, reference, initiator))
    errors.extend(_duplicate_partners(draft.partners))
    errors.extend(_unknown("fields", draft.fields, reference.affairs, "an urusan code"))
    errors.extend(_unknown("sdg_targets", draft.sdg_targets, reference.targets, "an SDG target"))
    errors.extend(_strangers("benefits", draft.benefits, draft, initiator))
    errors.extend(_strangers("obligations", draft.obligations, draft, initiator))
    return errors


def validate_review(body: ReviewBody) -> list[FieldError]:
    """A principle may be overridden once per review."""
    seen: set[str] = set()
    errors = []
    for index, override in enumerate(body.overrides):
        if override.principle in seen:
            errors.append(FieldError(f"overrides[{index}].principle", "is overridden twice"))
        seen.add(override.principle)
    return errors


def _partner_errors(
    at: str, partner: PartnerBody, ref: Reference, initiator: str
) -> Iterable[FieldError]:
    if not ref.is_known_country(partner.country):
        yield FieldError(f"{at}.country", f"{partner.country} is not an ISO 3166-1 country code")
    if partner.kind in FOREIGN_KINDS:
        if partner.country == INDONESIA:
            yield FieldError(f"{at}.country", f"a {partner.kind} partner is outside Indonesia")
        if partner.region_code is not None:
            yield FieldError(f"{at}.region_code", "a foreign partner has no Kemendagri code")
        return
    if partner.country != INDONESIA:
        yield FieldError(f"{at}.country", f"a {partner.kind} partner is in Indonesia (ID)")
    code = partner.region_code
    if code is None:
        if partner.kind in REGION_KINDS:
            yield FieldError(f"{at}.region_code", "is required for a domestic region")
        return
    yield from _region_errors(f"{at}.region_code", partner.kind, code, ref, initiator)


def _region_errors(
    at: str, kind: PartnerKind, code: str, ref: Reference, initiator: str
) -> Iterable[FieldError]:
    region = ref.regions.get(code)
    if region is None:
        yield FieldError(at, f"{code} is not a Kemendagri region code")
    elif code == initiator:
        yield FieldError(at, f"{code} is the initiator, which cannot be its own partner")
    elif kind in REGION_KINDS and region.kind.value != kind.value:
        yield FieldError(at, f"{code} ({region.name}) is a {region.kind}, not a {kind}")


def _duplicate_partners(partners: Iterable[PartnerBody]) -> Iterable[FieldError]:
    first: dict[tuple[str, str], int] = {}
    for index, partner in enumerate(partners):
        key = (
            ("region", partner.region_code)
            if partner.region_code is not None
            else (partner.country, partner.name.strip().casefold())
        )
        if key in first:
            yield FieldError(f"partners[{index}]", f"repeats partners[{first[key]}]")
        else:
            first[key] = index


def _unknown(
    name: str, codes: Iterable[str], known: Container[str], what: str
) -> Iterable[FieldError]:
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code not in known:
            yield FieldError(f"{name}[{index}]", f"{code} is not {what}")
        elif code in seen:
            yield FieldError(f"{name}[{index}]", f"{code} is listed twice")
        seen.add(code)


def _strangers(
    name: str, entries: Iterable[PartyTextBody], draft: ProposalDraft, initiator: str
) -> Iterable[FieldError]:
    names = {initiator} | {p.name for p in draft.partners}
    names |= {p.region_code for p in draft.partners if p.region_code is not None}
    for index, entry in enumerate(entries):
        if entry.party not in names:
            yield FieldError(
                f"{name}[{index}].party",
                f"{entry.party} is not a party: use the initiator's region code or a "
                "partner's name or region code",
            )
