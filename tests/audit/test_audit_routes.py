"""The proof routes over HTTP on each backend: what an auditor fetches and checks on their side."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from events.merkle import verify_consistency, verify_inclusion
from registry.audit.keys import load_public_key
from registry.audit.tree_head import SignedTreeHead, signature_problem
from tests.api.conftest import TOKENS, Api
from tests.audit.test_merkle_reference import ref_mth
from tests.integration.test_append_only import bypassing_guards

PROBLEM = "application/problem+json"
PROOF_ROUTES = [
    "/v1/audit/public-key",
    "/v1/audit/tree-head",
    "/v1/audit/proofs/inclusion?position=1",
    "/v1/audit/proofs/consistency?first=1",
]


async def get(api: Api, path: str, who: str = "auditor") -> object:
    answer = await api.client.get(path, headers=api.auth(who))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def submitted(api: Api, proposals: int = 3) -> list[bytes]:
    for _ in range(proposals):
        await api.submit()
    log = await get(api, "/v1/events?limit=1000")
    assert isinstance(log, dict)
    return [bytes.fromhex(item["hash"]) for item in log["items"]]


async def test_the_key_is_made_once_private_to_its_owner_and_served_public(
    audit_api: Api, key_file: str
) -> None:
    key = await get(audit_api, "/v1/audit/public-key")
    assert isinstance(key, dict)
    assert key["algorithm"] == "Ed25519"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert "PRIVATE" not in key["pem"]
    assert await get(audit_api, "/v1/audit/public-key", "admin") == key
    assert len(key["key_id"]) == 64


async def test_a_signed_tree_head_matches_the_log_and_the_public_key(audit_api: Api) -> None:
    leaves = await submitted(audit_api)
    key = await get(audit_api, "/v1/audit/public-key")
    assert isinstance(key, dict)
    for size in (None, 1, 4):
        query = "" if size is None else f"?size={size}"
        raw = await get(audit_api, f"/v1/audit/tree-head{query}")
        assert isinstance(raw, dict)
        head = SignedTreeHead(**raw)
        assert head.tree_size == (size or len(leaves))
        assert head.root_hash == ref_mth(leaves[: head.tree_size]).hex()
        assert head.key_id == key["key_id"]
        assert signature_problem(head, load_public_key(key["pem"])) is None
        assert len(base64.b64decode(head.signature)) == 64


async def test_inclusion_and_consistency_proofs_verify_on_the_auditors_side(
    audit_api: Api,
) -> None:
    leaves = await submitted(audit_api)
    n = len(leaves)
    for position in range(1, n + 1):
        proof = await get(audit_api, f"/v1/audit/proofs/inclusion?position={position}&size={n}")
        assert isinstance(proof, dict)
        assert proof["leaf_hash"] == leaves[position - 1].hex()
        path = [bytes.fromhex(node) for node in proof["audit_path"]]
        root = bytes.fromhex(proof["tree_head"]["root_hash"])
        assert verify_inclusion(leaves[position - 1], position - 1, n, path, root)
    for first in range(1, n + 1):
        answer = await get(audit_api, f"/v1/audit/proofs/consistency?first={first}")
        assert isinstance(answer, dict)
        assert answer["second"] == n
        assert verify_consistency(
            first,
            n,
            [bytes.fromhex(node) for node in answer["proof"]],
            ref_mth(leaves[:first]),
            ref_mth(leaves),
        )


@pytest.mark.parametrize(
    ("path", "status", "slug"),
    [
        ("/v1/audit/tree-head?size=-1", 400, "bad-request"),
        ("/v1/audit/tree-head?size=many", 400, "bad-request"),
        ("/v1/audit/tree-head?size=3", 404, "tree-size-unavailable"),
        ("/v1/audit/tree-head?size=9223372036854775807", 404, "tree-size-unavailable"),
        # Past the largest position any log can reach: the parameter itself is out of range.
        ("/v1/audit/tree-head?size=99999999999999999999999", 400, "bad-request"),
        ("/v1/audit/proofs/inclusion", 400, "bad-request"),
        ("/v1/audit/proofs/inclusion?position=0", 400, "bad-request"),
        ("/v1/audit/proofs/inclusion?position=3", 422, "proof-undefined"),
        ("/v1/audit/proofs/inclusion?position=1&size=1", 200, None),
        ("/v1/audit/proofs/inclusion?position=2&size=1", 422, "proof-undefined"),
        ("/v1/audit/proofs/inclusion?position=1&size=9", 404, "tree-size-unavailable"),
        ("/v1/audit/proofs/consistency?first=0", 400, "bad-request"),
        ("/v1/audit/proofs/consistency?first=2&second=1", 422, "proof-undefined"),
        ("/v1/audit/proofs/consistency?first=1&second=3", 404, "tree-size-unavailable"),
    ],
)
async def test_bad_sizes_are_problems_never_500(
    audit_api: Api, path: str, status: int, slug: str | None
) -> None:
    await audit_api.submit()  # two events
    answer = await audit_api.client.get(path, headers=audit_api.auth("admin"))
    assert answer.status_code == status, answer.text
    if slug is not None:
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["type"] == f"/problems/{slug}"


async def test_a_changed_event_makes_its_inclusion_proof_a_409_naming_it(audit_api: Api) -> None:
    await submitted(audit_api, 2)
    await bypassing_guards(
        audit_api.services.engine,
        "UPDATE events SET metadata = :metadata WHERE position = 3",
        {"metadata": b'{"actor":"someone else"}'},
    )
    answer = await audit_api.client.get(
        "/v1/audit/proofs/inclusion?position=3", headers=audit_api.auth("auditor")
    )
    assert answer.status_code == 409
    assert answer.json()["position"] == 3
    assert (await get(audit_api, "/v1/audit/verification"))["first_bad_position"] == 3  # type: ignore[index]
    await get(audit_api, "/v1/audit/proofs/inclusion?position=2")


@pytest.mark.parametrize("who", list(TOKENS))
async def test_proofs_are_for_auditors_and_admins(audit_api: Api, who: str) -> None:
    await audit_api.submit()
    for path in PROOF_ROUTES:
        status = (await audit_api.client.get(path, headers=audit_api.auth(who))).status_code
        assert status == (200 if who in {"auditor", "admin"} else 403), path
    for path in PROOF_ROUTES:
        assert (await audit_api.client.get(path)).status_code == 401


async def test_the_openapi_document_names_the_proof_routes(audit_api: Api, tmp_path: Path) -> None:
    paths = (await audit_api.client.get("/schema/openapi.json")).json()["paths"]
    for path in PROOF_ROUTES:
        route = paths[path.split("?")[0]]["get"]
        assert {"401", "403"} <= route["responses"].keys()
    assert {"400", "404", "409", "422"} <= paths["/v1/audit/proofs/inclusion"]["get"][
        "responses"
    ].keys()
