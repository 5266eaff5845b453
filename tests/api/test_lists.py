"""Lists and statistics from the read models, read-your-writes, and the audit replay."""

from __future__ import annotations

from tests.api.conftest import Api, draft, sister_city_draft
from tests.unit.builders import BANYUWANGI


async def test_a_submission_is_listed_at_once(api: Api) -> None:
    proposal = await api.submit()
    page = (await api.client.get("/v1/proposals", headers=api.auth("reviewer"))).json()
    assert [item["id"] for item in page["items"]] == [proposal["id"]]
    assert page["next_cursor"] is None


async def test_a_get_after_a_command_shows_at_least_its_version(api: Api) -> None:
    proposal = await api.submit()
    reviewed = await api.command("reviewer", proposal, "reviews", {"decision": "approve"})
    shown = await api.client.get(f"/v1/proposals/{proposal['id']}", headers=api.auth("auditor"))
    assert shown.json()["version"] >= reviewed.json()["version"]
    assert shown.json()["status"] == "approved"


async def test_filters_and_paging(api: Api) -> None:
    sister = await api.submit(body=sister_city_draft())
    await api.submit(body=draft(partner=BANYUWANGI))
    await api.submit()
    by_country = await api.client.get(
        "/v1/proposals", params={"partner_country": "JP"}, headers=api.auth("auditor")
    )
    assert [item["id"] for item in by_country.json()["items"]] == [sister["id"]]
    by_region = await api.client.get(
        "/v1/proposals", params={"region": BANYUWANGI}, headers=api.auth("auditor")
    )
    assert len(by_region.json()["items"]) == 1
    first = (await api.client.get("/v1/proposals?limit=2", headers=api.auth("auditor"))).json()
    assert len(first["items"]) == 2
    rest = await api.client.get(
        "/v1/proposals",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=api.auth("auditor"),
    )
    assert len(rest.json()["items"]) == 1
    assert rest.json()["next_cursor"] is None


async def test_bad_filters_and_cursors_are_400_naming_the_parameter(api: Api) -> None:
    for params, field in [
        ({"status": "dreaming"}, "status"),
        ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({"limit": "501"}, "limit"),
        ({"partner_country": "japan"}, "partner_country"),
    ]:
        answer = await api.client.get("/v1/proposals", params=params, headers=api.auth("auditor"))
        assert answer.status_code == 400, (params, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["field"] == field


async def test_the_review_queue_hides_the_reviewers_own_region(api: Api) -> None:
    proposal = await api.submit()
    # The queue follows the log a moment after the proposal detail does.
    assert await api.services.all_caught_up(await api.services.store.head_position())
    independent = (await api.client.get("/v1/review-queue", headers=api.auth("reviewer"))).json()
    assert [item["id"] for item in independent["items"]] == [proposal["id"]]
    party = (await api.client.get("/v1/review-queue", headers=api.auth("reviewer_party"))).json()
    assert party["items"] == []


async def test_statistics_by_sdg_and_region(api: Api) -> None:
    await api.submit()
    assert await api.services.all_caught_up(await api.services.store.head_position())
    stats = (await api.client.get("/v1/stats/sdgs", headers=api.auth("official"))).json()
    assert len(stats["goals"]) == 17
    summary = await api.client.get("/v1/regions/36.71/summary", headers=api.auth("official"))
    assert summary.status_code == 200
    assert summary.json()["region_code"] == "36.71"
    unknown = await api.client.get("/v1/regions/99.99/summary", headers=api.auth("official"))
    assert unknown.status_code == 404


async def test_an_audit_replay_of_an_honest_log_finds_no_difference(api: Api) -> None:
    proposal = await api.submit()
    await api.command("reviewer", proposal, "reviews", {"decision": "approve"})
    report = await api.client.post("/v1/audit/replays", headers=api.auth("auditor"))
    assert report.status_code == 200, report.text
    assert report.json()["ok"] is True
    assert report.json()["differences"] == []
    assert report.json()["events_replayed"] == 3
    assert (
        await api.client.post("/v1/audit/replays", headers=api.auth("official"))
    ).status_code == 403
