"""HTML form fields to the API's request bodies, so the console and the API judge one input.

Inputs are named by the body's own field paths (`partners[0].country`), so a FieldError from
decoding or validation lands next to the input it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from registry.bodies import (
    LegalApprovalBody,
    ProposalDraft,
    ReviewBody,
    SigningBody,
    TerminationBody,
    WithdrawalBody,
)
from registry.principles.model import Principle
from registry.validation import decode_body

Form = Mapping[str, Sequence[str]]
"""A submitted form: every name with all its values, in order."""

_ROW = re.compile(r"^(?P<list>partners|benefits|obligations)\[(?P<index>\d{1,2})\]\.(?P<key>\w+)$")
_PARTNER_KEYS = ("name", "kind", "country", "region_code")
OVERRIDE_PREFIX = "override."
# The inputs a person types into; a row whose typed inputs are blank is an unused row, whatever
# its drop-downs preselect (every partner row offers kind and country choices).
_TYPED = {
    "partners": ("name", "region_code"),
    "benefits": ("party", "description"),
    "obligations": ("party", "description"),
}


def one(form: Form, name: str) -> str:
    values = form.get(name, ())
    return values[0].strip() if values else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _rows(form: Form) -> dict[str, list[dict[str, str]]]:
    """Indexed row inputs, in index order; a row left blank is no row."""
    found: dict[str, dict[int, dict[str, str]]] = {}
    for name in form:
        match = _ROW.match(name)
        if match:
            row = found.setdefault(match["list"], {}).setdefault(int(match["index"]), {})
            row[match["key"]] = one(form, name)
    return {
        name: [row for _, row in sorted(rows.items()) if any(row.get(key) for key in _TYPED[name])]
        for name, rows in found.items()
    }


def _partner(row: dict[str, str]) -> dict[str, Any]:
    partner: dict[str, Any] = {key: row.get(key, "") for key in _PARTNER_KEYS}
    partner["region_code"] = partner["region_code"] or None
    return partner


def draft_fields(form: Form) -> dict[str, Any]:
    """The proposal as JSON-ready data, blank optional inputs left out as the API would."""
    rows = _rows(form)
    data: dict[str, Any] = {
        "title": one(form, "title"),
        "summary": one(form, "summary"),
        "partners": [_partner(row) for row in rows.get("partners", [])],
        "fields": [value for value in form.get("fields", ()) if value],
        "benefits": rows.get("benefits", []),
        "obligations": rows.get("obligations", []),
        "legal_basis": _lines(one(form, "legal_basis")),
        "sdg_targets": [value for value in form.get("sdg_targets", ()) if value],
        "start_date": one(form, "start_date"),
        "end_date": one(form, "end_date"),
        "environmental_safeguards": one(form, "environmental_safeguards") or None,
    }
    dprd = {
        "reference": one(form, "dprd_approval.reference"),
        "date": one(form, "dprd_approval.date"),
    }
    data["dprd_approval"] = dprd if any(dprd.values()) else None
    return data


def _decode(data: dict[str, Any], body_type: type[Any]) -> Any:
    return decode_body(msgspec.json.encode(data), body_type)


def draft_from(form: Form) -> ProposalDraft:
    """The draft a form describes; ValidationFailed names each bad input by its path."""
    draft: ProposalDraft = _decode(draft_fields(form), ProposalDraft)
    return draft


def review_from(form: Form) -> ReviewBody:
    overrides = [
        {"principle": principle.value, "justification": text}
        for principle in Principle
        if (text := one(form, OVERRIDE_PREFIX + principle.value))
    ]
    data = {
        "decision": one(form, "decision"),
        "comment": one(form, "comment") or None,
        "overrides": overrides,
    }
    body: ReviewBody = _decode(data, ReviewBody)
    return body


def withdrawal_from(form: Form) -> WithdrawalBody:
    body: WithdrawalBody = _decode({"reason": one(form, "reason")}, WithdrawalBody)
    return body


def legal_approval_from(form: Form) -> LegalApprovalBody:
    data = {key: one(form, key) for key in ("authority", "reference", "date")}
    body: LegalApprovalBody = _decode(data, LegalApprovalBody)
    return body


def signing_from(form: Form) -> SigningBody:
    data = {
        "signed_on": one(form, "signed_on"),
        "document_ref": one(form, "document_ref"),
        "signatories": _lines(one(form, "signatories")),
    }
    body: SigningBody = _decode(data, SigningBody)
    return body


def termination_from(form: Form) -> TerminationBody:
    data = {key: one(form, key) for key in ("reason", "effective_on")}
    body: TerminationBody = _decode(data, TerminationBody)
    return body


def form_values(draft: Mapping[str, Any]) -> dict[str, str]:
    """A proposal's fields as the form's inputs hold them, to fill the revision form."""
    values: dict[str, str] = {
        "title": draft.get("title") or "",
        "summary": draft.get("summary") or "",
        "legal_basis": "\n".join(draft.get("legal_basis") or ()),
        "start_date": str(draft.get("start_date") or ""),
        "end_date": str(draft.get("end_date") or ""),
        "environmental_safeguards": draft.get("environmental_safeguards") or "",
    }
    dprd = draft.get("dprd_approval") or {}
    values["dprd_approval.reference"] = dprd.get("reference", "")
    values["dprd_approval.date"] = str(dprd.get("date", ""))
    for name in ("partners", "benefits", "obligations"):
        for index, row in enumerate(draft.get(name) or ()):
            for key, value in row.items():
                values[f"{name}[{index}].{key}"] = "" if value is None else str(value)
    return values


def rows_needed(values: Mapping[str, str], name: str, shown: int) -> int:
    """Enough rows of a list for every row filled in, and at least `shown`."""
    indexes = [int(m["index"]) for key in values if (m := _ROW.match(key)) and m["list"] == name]
    return max(shown, max(indexes, default=-1) + 2)
