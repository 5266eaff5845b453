"""Every role against every route: 401 without a token, 403 for the wrong role or region."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from registry.token_store import TokenStore
from tests.api.conftest import TOKENS, Api, draft
from tests.unit.builders import BANYUWANGI

WRITE_BODIES: dict[str, dict[str, Any]] = {
    "revisions": draft(),
    "reviews": {"decision": "request_revision", "comment": "perlu rincian anggaran"},
    "withdrawal": {"reason": "ditunda"},
    "legal-approvals": {"authority": "dprd", "reference": "DPRD/1", "date": "2026-12-01"},
    "signing": {"signed_on": "2027-01-05", "document_ref": "PKS-1", "signatories": ["Wali Kota"]},
    "termination": {"reason": "selesai", "effective_on": "2027-06-30"},
}
# Who passes the access rules on a proposal of Tangerang with Surabaya as partner.
MAY_WRITE = {
    "revisions": {"official"},
    "reviews": {"reviewer"},
    "withdrawal": {"official"},
    "legal-approvals": {"official"},
    "signing": {"official"},
    "termination": {"official", "admin"},
}
MAY_SUBMIT = {"official", "official_partner", "official_elsewhere"}
AUDIT_ROUTES = ["/v1/events", "/v1/audit/verification"]


@pytest.mark.parametrize("who", list(TOKENS))
async def test_submit(api: Api, who: str) -> None:
    body = draft(api_region(who), BANYUWANGI) if who in MAY_SUBMIT else draft()
    answer = await api.client.post("/v1/proposals", json=body, headers=api.auth(who))
    assert answer.status_code == (201 if who in MAY_SUBMIT else 403), answer.text


@pytest.mark.parametrize("route", list(WRITE_BODIES))
@pytest.mark.parametrize("who", list(TOKENS))
async def test_writes_on_a_proposal(api: Api, route: str, who: str) -> None:
    proposal = await api.submit()
    answer = await api.command(who, proposal, route, WRITE_BODIES[route])
    if who in MAY_WRITE[route]:
        # Allowed through the access rules; the lifecycle may still refuse (409), never 403.
        assert answer.status_code in (200, 409), answer.text
    else:
        assert answer.status_code == 403, answer.text
        assert await api.services.store.head_position() == 2


@pytest.mark.parametrize("who", list(TOKENS))
async def test_reads_are_open_to_every_role(api: Api, who: str) -> None:
    proposal = await api.submit()
    for path in (f"/v1/proposals/{proposal['id']}", f"/v1/proposals/{proposal['id']}/events"):
        assert (await api.client.get(path, headers=api.auth(who))).status_code == 200


@pytest.mark.parametrize("who", list(TOKENS))
async def test_the_log_and_audit_are_for_auditors_and_admins(api: Api, who: str) -> None:
    for path in AUDIT_ROUTES:
        status = (await api.client.get(path, headers=api.auth(who))).status_code
        assert status == (200 if who in {"auditor", "admin"} else 403)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer ksj_not-a-real-token-at-all"}, {"Authorization": "Basic x"}],
)
async def test_no_or_bad_token_is_401_with_a_challenge(api: Api, headers: dict[str, str]) -> None:
    for method, path in [
        ("GET", "/v1/events"),
        ("POST", "/v1/proposals"),
        ("GET", "/v1/audit/verification"),
    ]:
        answer = await api.client.request(method, path, headers=headers, json=draft())
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_revoked_token_is_refused(api: Api) -> None:
    principal = await api.services.tokens.principal_for(api.tokens["auditor"])
    assert principal is not None
    assert await api.services.tokens.revoke(principal.token_id)
    answer = await api.client.get("/v1/events", headers=api.auth("auditor"))
    assert answer.status_code == 401


async def test_a_token_revoked_elsewhere_stops_working_within_the_cache_ttl(api: Api) -> None:
    # Another API process is another TokenStore on the same database, with a cache of its own.
    elsewhere = TokenStore(api.services.engine, api.services.reference, cache_seconds=0.3)
    secret = api.tokens["auditor"]
    principal = await elsewhere.principal_for(secret)
    assert principal is not None
    assert await api.services.tokens.revoke(principal.token_id)
    # Within the TTL the other process still trusts what it learnt: the documented window.
    assert await elsewhere.principal_for(secret) == principal
    await asyncio.sleep(0.35)
    assert await elsewhere.principal_for(secret) is None


def api_region(who: str) -> str:
    region = TOKENS[who][1]
    assert region is not None
    return region
