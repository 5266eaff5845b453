"""Reads over HTTP: the proposal and its ETag, as of a time or version, events, audit, reference."""

from __future__ import annotations

import uuid

import msgspec
import pytest
import structlog

from registry.api.audit import log_lines
from tests.api.conftest import Api, draft

PROBLEM = "application/problem+json"


async def test_get_a_proposal_with_its_etag(api: Api) -> None:
    proposal = await api.submit()
    response = await api.client.get(f"/v1/proposals/{proposal['id']}", headers=api.auth("auditor"))
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert response.json() == proposal


async def test_an_unknown_proposal_is_a_404_problem(api: Api) -> None:
    response = await api.client.get(f"/v1/proposals/{uuid.uuid4()}", headers=api.auth("official"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_a_malformed_id_is_a_client_error_not_a_500(api: Api) -> None:
    response = await api.client.get("/v1/proposals/not-a-uuid", headers=api.auth("official"))
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_the_proposal_as_it_stood_at_a_version_and_at_a_time(api: Api) -> None:
    submitted = await api.submit()
    reviewed = (await api.command("reviewer", submitted, "reviews", {"decision": "approve"})).json()
    pid = submitted["id"]
    at_two = await api.client.get(f"/v1/proposals/{pid}?version=2", headers=api.auth("auditor"))
    assert at_two.json()["status"] == "submitted"
    assert at_two.json()["version"] == 2
    then = submitted["updated_at"]
    as_of = await api.client.get(
        f"/v1/proposals/{pid}", params={"as_of": then}, headers=api.auth("auditor")
    )
    assert as_of.json()["status"] == "submitted"
    now = await api.client.get(f"/v1/proposals/{pid}", headers=api.auth("auditor"))
    assert now.json()["status"] == reviewed["status"] == "approved"


async def test_before_it_existed_a_proposal_is_404(api: Api) -> None:
    proposal = await api.submit()
    pid = proposal["id"]
    early = await api.client.get(
        f"/v1/proposals/{pid}",
        params={"as_of": "2020-01-01T00:00:00Z"},
        headers=api.auth("auditor"),
    )
    assert early.status_code == 404
    later = await api.client.get(f"/v1/proposals/{pid}?version=9", headers=api.auth("auditor"))
    assert later.status_code == 404


async def test_as_of_without_a_zone_is_a_400_naming_the_parameter(api: Api) -> None:
    proposal = await api.submit()
    answer = await api.client.get(
        f"/v1/proposals/{proposal['id']}",
        params={"as_of": "2026-11-23T08:00:00"},
        headers=api.auth("auditor"),
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "as_of"


async def test_the_global_log_in_pages_and_as_ndjson(api: Api) -> None:
    for _ in range(3):
        await api.submit()
    page = (await api.client.get("/v1/events?limit=4", headers=api.auth("auditor"))).json()
    assert [item["position"] for item in page["items"]] == [1, 2, 3, 4]
    assert page["next_after"] == 4
    assert page["items"][0]["stream_id"].startswith("proposal-")
    rest = (await api.client.get("/v1/events?after=4", headers=api.auth("auditor"))).json()
    assert [item["position"] for item in rest["items"]] == [5, 6]
    assert rest["next_after"] is None
    streamed = await api.client.get(
        "/v1/events?after=2", headers={**api.auth("admin"), "Accept": "application/x-ndjson"}
    )
    assert streamed.headers["content-type"].startswith("application/x-ndjson")
    lines = streamed.text.strip().splitlines()
    assert len(lines) == 4


async def test_the_ndjson_stream_reads_page_after_page_without_a_gap(api: Api) -> None:
    for _ in range(3):
        await api.submit()
    for page_size in (1, 2, 5, 6, 7):
        lines = [line async for line in log_lines(api.services, after=1, page_size=page_size)]
        positions = [msgspec.json.decode(line)["position"] for line in lines]
        assert positions == [2, 3, 4, 5, 6], page_size


async def test_verification_reports_the_head(api: Api) -> None:
    await api.submit()
    report = (await api.client.get("/v1/audit/verification", headers=api.auth("auditor"))).json()
    assert report["ok"] is True
    assert report["events_checked"] == 2
    assert report["head"]["position"] == 2
    assert len(report["head"]["hash"]) == 64
    assert report["first_bad_position"] is None


async def test_reference_data_needs_no_token(api: Api) -> None:
    principles = (await api.client.get("/v1/reference/principles")).json()
    assert [p["principle"] for p in principles][:2] == ["mutual_benefit", "legal_compliance"]
    sdgs = (await api.client.get("/v1/reference/sdgs")).json()
    assert (len(sdgs["goals"]), len(sdgs["targets"])) == (17, 169)
    regions = (await api.client.get("/v1/reference/regions")).json()
    assert {"code": "36.71", "name": "Kota Tangerang"}.items() <= next(
        r for r in regions if r["code"] == "36.71"
    ).items()
    fields = (await api.client.get("/v1/reference/fields")).json()
    assert {f["code"] for f in fields} >= {"pendidikan", "pertahanan"}


async def test_health_and_ready(api: Api) -> None:
    assert (await api.client.get("/health")).json() == {"status": "ok"}
    ready = (await api.client.get("/ready")).json()
    assert ready["status"] == "ready"


async def test_metrics_count_requests_commands_and_lag(api: Api) -> None:
    await api.submit()
    text = (await api.client.get("/metrics")).text
    assert 'kerjasama_commands_total{command="submit"}' in text
    assert "kerjasama_events_appended_total" in text
    assert 'kerjasama_projection_lag_events{projection="proposals"} 0.0' in text
    assert "kerjasama_requests_total" in text


async def test_every_answer_carries_a_request_id_and_keeps_the_callers(api: Api) -> None:
    answer = await api.client.get("/health", headers={"X-Request-ID": "req-abc-123"})
    assert answer.headers["x-request-id"] == "req-abc-123"
    made = {(await api.client.get("/health")).headers["x-request-id"] for _ in range(3)}
    assert len(made) == 3
    assert all(uuid.UUID(made_id).version == 4 for made_id in made)


async def test_request_logs_name_route_status_and_duration_but_never_the_token(api: Api) -> None:
    with structlog.testing.capture_logs() as logs:
        await api.submit()
    handled = [entry for entry in logs if entry["event"] == "request_handled"]
    assert handled
    assert {"method", "path", "status", "duration_ms"} <= handled[0].keys()
    assert handled[0]["status"] == 201
    assert api.tokens["official"] not in repr(logs)


async def test_every_log_line_of_a_request_names_its_request_id(api: Api) -> None:
    merge = structlog.contextvars.merge_contextvars
    with structlog.testing.capture_logs(processors=[merge]) as logs:
        answer = await api.client.post(
            "/v1/proposals",
            json=draft(),
            headers={**api.auth("official"), "X-Request-ID": "req-log-1"},
        )
    assert answer.status_code == 201
    handled = [entry for entry in logs if entry["event"] == "request_handled"]
    assert [entry["request_id"] for entry in handled] == ["req-log-1"]
    # The binding ends with the request: nothing logged afterwards carries its id.
    assert "request_id" not in structlog.contextvars.get_contextvars()


async def test_the_interactive_docs_need_no_cdn(api: Api) -> None:
    page = await api.client.get("/schema")
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.text
    assert "cdn." not in page.text
    assert "unpkg" not in page.text
    script = await api.client.get("/schema/assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert len(script.content) > 100_000


async def test_the_openapi_document_names_every_route_and_its_problems(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in (
        "/v1/proposals",
        "/v1/proposals/{proposal_id}",
        "/v1/proposals/{proposal_id}/revisions",
        "/v1/proposals/{proposal_id}/reviews",
        "/v1/proposals/{proposal_id}/withdrawal",
        "/v1/proposals/{proposal_id}/legal-approvals",
        "/v1/proposals/{proposal_id}/signing",
        "/v1/proposals/{proposal_id}/termination",
        "/v1/proposals/{proposal_id}/events",
        "/v1/events",
        "/v1/audit/verification",
        "/v1/audit/replays",
        "/v1/stats/sdgs",
        "/v1/regions/{code}/summary",
        "/v1/reference/principles",
        "/v1/reference/sdgs",
        "/v1/reference/regions",
        "/v1/reference/fields",
        "/health",
        "/ready",
        "/metrics",
    ):
        assert path in paths, path
    revision = paths["/v1/proposals/{proposal_id}/revisions"]["post"]["responses"]
    assert {"412", "428", "409", "422"} <= revision.keys()
    assert "application/problem+json" in revision["412"]["content"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/proposals/{id}?version=2147483648", "version"),
        ("/v1/proposals/{id}?version=99999999999999999999", "version"),
        ("/v1/events?after=9223372036854775808", "after"),
        ("/v1/audit/tree-head?size=9223372036854775808", "size"),
        ("/v1/audit/proofs/inclusion?position=9223372036854775808", "position"),
        ("/v1/audit/proofs/consistency?first=9223372036854775808", "first"),
        ("/v1/audit/proofs/consistency?first=1&second=9223372036854775808", "second"),
    ],
)
async def test_numbers_past_what_the_log_can_hold_are_refused_by_name(
    api: Api, path: str, field: str
) -> None:
    # Handed to the database they overflowed its integer columns: a 500, found by schemathesis.
    proposal = await api.submit()
    answer = await api.client.get(path.format(id=proposal["id"]), headers=api.auth("auditor"))
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert field in answer.text
