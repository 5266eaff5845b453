"""Commands over HTTP: status codes, headers and shapes of API.md, on both backends."""

from __future__ import annotations

import asyncio

import pytest

from tests.api.conftest import Api, draft, sister_city_draft

PROBLEM = "application/problem+json"


async def test_a_submission_answers_201_with_location_etag_and_the_assessed_proposal(
    api: Api,
) -> None:
    response = await api.client.post("/v1/proposals", json=draft(), headers=api.auth("official"))
    assert response.status_code == 201
    proposal = response.json()
    assert response.headers["location"] == f"/v1/proposals/{proposal['id']}"
    assert response.headers["etag"] == '"2"'
    assert proposal["status"] == "submitted"
    assert proposal["category"] == "KSDD"
    assert proposal["initiator"] == {"region_code": "36.71", "name": "Kota Tangerang"}
    assert proposal["assessment"]["ruleset"] == "2026.1"
    assert [p["principle"] for p in proposal["assessment"]["principles"]] == [
        "mutual_benefit",
        "legal_compliance",
        "equality_of_standing",
        "political_stability_security",
        "sovereignty",
        "environmental_sustainability",
        "sdg_alignment",
    ]


async def test_a_type_error_names_the_field_and_stores_nothing(api: Api) -> None:
    body = draft()
    body["partners"][0]["country"] = 5
    response = await api.client.post("/v1/proposals", json=body, headers=api.auth("official"))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == "partners[0].country"
    assert await api.services.store.head_position() == 0


async def test_an_unknown_sdg_target_is_a_422_at_its_path(api: Api) -> None:
    body = draft(sdg_targets=["11.6", "18.1"])
    response = await api.client.post("/v1/proposals", json=body, headers=api.auth("official"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422
    assert {"field": "sdg_targets[1]"}.items() <= problem["errors"][0].items()
    assert await api.services.store.head_position() == 0


async def test_an_unknown_field_in_the_body_is_refused(api: Api) -> None:
    response = await api.client.post(
        "/v1/proposals", json=draft(budget=10), headers=api.auth("official")
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_the_initiator_is_the_tokens_region(api: Api) -> None:
    proposal = await api.submit("official_elsewhere", draft(initiator="32.73"))
    assert proposal["initiator"]["region_code"] == "32.73"


async def test_a_revision_without_if_match_is_428_and_a_stale_one_412(api: Api) -> None:
    proposal = await api.submit()
    reviewed = await api.command(
        "reviewer", proposal, "reviews", {"decision": "request_revision", "comment": "detail"}
    )
    assert reviewed.status_code == 200
    missing = await api.client.post(
        f"/v1/proposals/{proposal['id']}/revisions", json=draft(), headers=api.auth("official")
    )
    assert missing.status_code == 428
    stale = await api.command("official", proposal, "revisions", draft())
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"3"'
    assert await api.services.store.head_position() == 3
    revised = await api.command("official", reviewed.json(), "revisions", draft(title="Revised"))
    assert revised.status_code == 200
    assert revised.json()["status"] == "submitted"
    assert revised.json()["title"] == "Revised"
    assert revised.headers["etag"] == '"5"'


async def test_concurrent_writes_on_one_version_one_wins_the_rest_412(api: Api) -> None:
    proposal = await api.submit()
    answers = await asyncio.gather(
        *[
            api.command("official", proposal, "withdrawal", {"reason": f"alasan {n}"})
            for n in range(8)
        ]
    )
    assert sorted(a.status_code for a in answers) == [200] + [412] * 7
    assert await api.services.store.head_position() == 3


async def test_a_command_the_lifecycle_forbids_is_a_409_naming_status_and_command(
    api: Api,
) -> None:
    proposal = await api.submit()
    answer = await api.command(
        "official",
        proposal,
        "signing",
        {"signed_on": "2027-01-05", "document_ref": "PKS-1", "signatories": ["Wali Kota"]},
    )
    assert answer.status_code == 409
    problem = answer.json()
    assert problem["proposal_status"] == "submitted"
    assert problem["command"] == "sign"


async def test_reject_without_comment_is_a_422_on_comment(api: Api) -> None:
    proposal = await api.submit()
    answer = await api.command("reviewer", proposal, "reviews", {"decision": "reject"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "comment"


async def test_the_whole_sister_city_lifecycle_to_active_and_terminated(api: Api) -> None:
    proposal = await api.submit(body=sister_city_draft())
    assert proposal["category"] == "KSDPL"
    approved = (await api.command("reviewer", proposal, "reviews", {"decision": "approve"})).json()
    assert approved["status"] == "approved"
    early = await api.command(
        "official",
        approved,
        "signing",
        {"signed_on": "2027-01-05", "document_ref": "PKS-1", "signatories": ["Wali Kota"]},
    )
    assert early.status_code == 409
    assert set(early.json()["missing"]) == {"dprd", "kemendagri", "kemenlu"}
    current = approved
    for authority in ("dprd", "kemendagri", "kemenlu"):
        answer = await api.command(
            "official",
            current,
            "legal-approvals",
            {"authority": authority, "reference": f"{authority}/2026/7", "date": "2026-12-01"},
        )
        assert answer.status_code == 200, answer.text
        current = answer.json()
    signed = await api.command(
        "official",
        current,
        "signing",
        {"signed_on": "2027-01-05", "document_ref": "PKS-1", "signatories": ["Wali Kota"]},
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "active"
    ended = await api.command(
        "admin",
        signed.json(),
        "termination",
        {"reason": "kesepakatan bersama", "effective_on": "2027-06-30"},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "terminated"


async def test_idempotency_key_same_body_same_proposal_other_body_422(api: Api) -> None:
    headers = {**api.auth("official"), "Idempotency-Key": "tangerang-2026-001"}
    first = await api.client.post("/v1/proposals", json=draft(), headers=headers)
    again = await api.client.post("/v1/proposals", json=draft(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert await api.services.store.head_position() == 2
    other = await api.client.post("/v1/proposals", json=draft(title="Lain"), headers=headers)
    assert other.status_code == 422
    assert await api.services.store.head_position() == 2


async def test_concurrent_retries_with_one_key_make_one_proposal(api: Api) -> None:
    headers = {**api.auth("official"), "Idempotency-Key": "retry-storm"}
    answers = await asyncio.gather(
        *[api.client.post("/v1/proposals", json=draft(), headers=headers) for _ in range(5)]
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert await api.services.store.head_position() == 2


async def test_command_events_record_who_and_why(api: Api) -> None:
    proposal = await api.submit()
    events = (
        await api.client.get(
            f"/v1/proposals/{proposal['id']}/events",
            headers={**api.auth("auditor")},
        )
    ).json()
    assert [e["type"] for e in events] == ["ProposalSubmitted", "ProposalAssessed"]
    metadata = events[0]["metadata"]
    assert metadata["role"] == "official"
    assert metadata["region"] == "36.71"
    assert metadata["correlation_id"]
    assert metadata["request_id"]
    assert metadata["actor"] != api.tokens["official"]


async def test_the_documented_request_example_is_a_valid_sister_city(api: Api) -> None:
    from registry.api.examples import SISTER_CITY

    proposal = await api.submit("official_partner", SISTER_CITY)
    assert proposal["category"] == "KSDPL"
    assert proposal["assessment"]["outcome"] in {"pass", "needs_review"}
    document = (await api.client.get("/schema/openapi.json")).json()
    body = document["paths"]["/v1/proposals"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["examples"][0] == SISTER_CITY


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
        (b'{"title":"\xff\xfe"}', 400, "not valid UTF-8"),
        (b"", 400, "Validation failed"),
        (b'{"title": "x"' * 3, 400, "JSON is malformed"),
        (b'{"title":"' + b"x" * (11 * 1024 * 1024) + b'"}', 413, "larger than 1048576 bytes"),
    ],
    ids=["deeply-nested", "invalid-utf8", "empty", "truncated", "oversize"],
)
async def test_hostile_bodies_are_client_errors_and_append_nothing(
    api: Api, body: bytes, status: int, detail: str
) -> None:
    answer = await api.client.post(
        "/v1/proposals",
        content=body,
        headers={**api.auth("official"), "Content-Type": "application/json"},
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert detail in answer.json()["detail"]
    assert await api.services.store.head_position() == 0


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("legal-approvals", {"authority": "dprd", "reference": "DPRD/1", "date": "2026-10-01"}),
        ("revisions", draft()),
    ],
)
async def test_a_command_on_an_unknown_proposal_is_404_whatever_if_match_says(
    api: Api, route: str, body: dict[str, object]
) -> None:
    unknown = {"id": "dabb4d2a-d76d-4246-89df-e3255c0aa492", "version": 3}
    answer = await api.command("official", unknown, route, body)
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
