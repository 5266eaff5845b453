"""The fast list of `GET /v1/proposals?...`: the route's answer to the byte, or the route's own.

`api.routes` is the same app's Litestar without the fast answers in front, so each answer of
the fast list is compared with the route's own answer to the same request, on both backends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import structlog
from litestar import Litestar, get
from litestar.params import HeaderParameter, QueryParameter

from registry.api.fast_list import FastProposalList
from tests.api.conftest import Api, api_settings, draft, running_api, sister_city_draft
from tests.api.test_fast_read import (
    PROBLEM,
    answered_by,
    answers_counted,
    end_hot_reads_unnoticed,
    requests_counted,
    stable,
)
from tests.unit.builders import BANYUWANGI

SAME_ID = {"X-Request-ID": "same-request"}


FAST_LISTS = "kerjasama_fast_lists_total"


def fast_lists() -> float:
    return answers_counted(FAST_LISTS)


def lists_counted(status: int) -> float:
    return requests_counted(status, "/v1/proposals")


async def answered(
    api: Api, path: str, headers: dict[str, str], *, fast: bool, method: str = "GET"
) -> httpx.Response:
    return await answered_by(FAST_LISTS, api, path, headers, fast=fast, method=method)


async def by_route(api: Api, path: str, headers: dict[str, str]) -> httpx.Response:
    return await api.routes.get(path, headers=headers)


def assert_same(fast: httpx.Response, route: httpx.Response) -> None:
    assert fast.status_code == route.status_code
    assert fast.content == route.content
    assert stable(fast) == stable(route)


async def three_proposals(api: Api) -> Api:
    """Three proposals (one with Kitakyushu, one approved) and a reader's token in the cache."""
    await api.submit(body=sister_city_draft())
    await api.submit(body=draft(partner=BANYUWANGI))
    approved = await api.submit()
    reviewed = await api.command("reviewer", approved, "reviews", {"decision": "approve"})
    assert reviewed.status_code == 200, reviewed.text
    await answered(api, "/v1/proposals", api.auth("auditor"), fast=False)  # caches the token
    return api


@pytest.fixture
async def listed(api: Api) -> Api:
    return await three_proposals(api)


PAGES = [
    ("", 3),
    ("?status=submitted", 2),
    ("?status=approved&outcome=pass", None),
    ("?status=submitted&region=35.78&sdg=8&limit=20", None),  # the benchmark's list
    ("?region=35.10", 1),
    ("?partner_country=JP&sdg=8.9", 1),
    ("?outcome=pass&sdg=11&limit=5", None),
    ("?q=festival&limit=2", 2),
    ("?q=Festival+kota&status=submitted", None),
    ("?q=caf%C3%A9", 0),
]


@pytest.mark.parametrize(("query", "count"), PAGES)
async def test_the_fast_list_answers_what_the_route_answers(
    listed: Api, query: str, count: int | None
) -> None:
    headers = {**listed.auth("auditor"), **SAME_ID}
    route = await by_route(listed, "/v1/proposals" + query, headers)
    counted = lists_counted(200)
    fast = await answered(listed, "/v1/proposals" + query, headers, fast=True)
    assert route.status_code == 200, route.text
    assert_same(fast, route)
    assert fast.headers["content-type"] == "application/json"
    assert fast.headers["x-request-id"] == "same-request"
    if count is not None:
        assert len(fast.json()["items"]) == count
    assert lists_counted(200) == counted + 1


async def test_pages_followed_by_their_cursors_are_the_routes(listed: Api) -> None:
    headers = {**listed.auth("reviewer"), **SAME_ID}  # cached by the review
    path, seen = "/v1/proposals?limit=1&status=submitted", []
    while True:
        route = await by_route(listed, path, headers)
        fast = await answered(listed, path, headers, fast=True)
        assert_same(fast, route)
        page = fast.json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        path = f"/v1/proposals?status=submitted&cursor={page['next_cursor']}&limit=1"
    assert len(seen) == len(set(seen)) == 2


# Values at the edges of the route's rules and of query-string decoding: whatever Litestar
# makes of each, the fast list makes the same, answering exactly those the route answers 200.
EDGES = [
    "limit=05",
    "limit=+5",
    "limit=5.0",
    "limit=1e1",
    "limit=%205",
    "limit=0",
    "limit=501",
    "limit=500",
    "limit",
    "status=",
    "status=SUBMITTED",
    "status=null",
    "outcome=needs_review",
    "outcome=passed",
    "q=",
    "q=a+b",
    "q=%ZZ",
    "q=%00",
    "q=" + "x" * 200,
    "q=" + "x" * 201,
    "q=%E9t%C3%A9",
    "sdg=8%0A",
    "sdg=11.6a",
    "sdg=123",
    "region=35.78%0A",
    "region=35.7",
    "region=%33%35.78",
    "partner_country=jp",
    "partner_country=JP;status=submitted",
    "cursor=",
    "cursor=bm90LWEtY3Vyc29y",
    "cursor=" + "c" * 101,
    "limit=20&",
    "&limit=20",
]


@pytest.mark.parametrize("query", EDGES)
async def test_the_fast_list_reads_the_parameters_as_the_route_does(
    listed: Api, query: str
) -> None:
    headers = {**listed.auth("auditor"), **SAME_ID}
    path = "/v1/proposals?" + query
    route = await by_route(listed, path, headers)
    fast = await answered(listed, path, headers, fast=route.status_code == 200)
    assert_same(fast, route)


async def test_a_parameter_the_route_rejects_is_the_routes_400(listed: Api) -> None:
    headers = {**listed.auth("auditor"), **SAME_ID}
    for query, field in [("limit=501", "limit"), ("status=dreaming", "status")]:
        answer = await answered(listed, "/v1/proposals?" + query, headers, fast=False)
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["errors"][0]["field"] == field
        assert_same(answer, await by_route(listed, "/v1/proposals?" + query, headers))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/proposals?unknown=1", 200),  # a parameter the route ignores
        ("/v1/proposals?status=submitted&status=approved", 200),  # repeated: the route's pick
        ("/v1/proposals?limit=2&limit=3", 200),
        ("/v1/proposals/?status=submitted", 200),  # not the path's exact form
        ("/v1/proposals?cursor=bm90LWEtY3Vyc29y", 400),  # read, failed, passed on
    ],
)
async def test_anything_unusual_goes_to_the_route(listed: Api, path: str, status: int) -> None:
    headers = {**listed.auth("auditor"), **SAME_ID}
    answer = await answered(listed, path, headers, fast=False)
    assert answer.status_code == status, answer.text
    assert_same(answer, await by_route(listed, path, headers))


async def test_head_and_callers_the_cache_does_not_vouch_for_go_to_the_route(
    listed: Api,
) -> None:
    path = "/v1/proposals?status=submitted"
    head = await answered(listed, path, listed.auth("auditor"), fast=False, method="HEAD")
    assert head.status_code == (await listed.routes.head(path)).status_code
    unknown = {"Authorization": "Bearer ksj_" + "u" * 43}
    for headers in (unknown, {}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        answer = await answered(listed, path, headers, fast=False)
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith(PROBLEM)
    # Known to the store, not yet to the cache: the route looks it up, then it is fast.
    await answered(listed, path, listed.auth("admin"), fast=False)
    await answered(listed, path, listed.auth("admin"), fast=True)


async def test_a_token_revoked_here_is_refused_at_once(listed: Api) -> None:
    headers = listed.auth("auditor")
    await answered(listed, "/v1/proposals", headers, fast=True)
    [record] = [t for t in await listed.services.tokens.list() if t.name == "auditor"]
    assert await listed.services.tokens.revoke(record.token_id)
    assert (await answered(listed, "/v1/proposals", headers, fast=False)).status_code == 401


async def test_the_fast_list_logs_the_request_line_with_the_same_fields(listed: Api) -> None:
    path = "/v1/proposals?status=submitted&limit=5"
    lines = []
    for fast in (False, True):
        with structlog.testing.capture_logs() as logs:
            if fast:
                await answered(listed, path, listed.auth("auditor"), fast=True)
            else:
                await by_route(listed, path, listed.auth("auditor"))
        [line] = [entry for entry in logs if entry["event"] == "request_handled"]
        lines.append(line)
    route, fast_list = lines
    assert {**fast_list, "duration_ms": 0} == {**route, "duration_ms": 0}
    assert fast_list["path"] == "/v1/proposals"
    assert listed.tokens["auditor"] not in repr(lines)


@pytest.mark.postgres
async def test_a_failed_read_goes_to_the_route(postgres_api: Api) -> None:
    """The hot-read pool's connections ended unnoticed: the fast list's fetch fails and the
    route answers, as it answers a lost connection (503 or, on a new connection, 200)."""
    listed = await three_proposals(postgres_api)
    headers = listed.auth("auditor")
    end_hot_reads_unnoticed(listed.services.engine)
    answer = await answered(listed, "/v1/proposals", headers, fast=False)
    assert answer.status_code in (200, 503), answer.text
    again = await answered(listed, "/v1/proposals", headers, fast=True)
    assert len(again.json()["items"]) == 3


async def test_without_a_rate_limit_the_headers_are_identical_too(
    database_url: str, tmp_path: Path
) -> None:
    settings = api_settings(database_url, tmp_path, rate_limit=None)
    async with running_api(settings) as api:
        await api.submit()
        path = "/v1/proposals?status=submitted&limit=10"
        headers = {**api.auth("official"), **SAME_ID}
        route = await by_route(api, path, headers)
        fast = await answered(api, path, headers, fast=True)
        assert fast.headers.raw == route.headers.raw
        assert fast.content == route.content


@pytest.mark.parametrize("limited", [4], indirect=True)  # requests a minute
async def test_every_path_counts_against_one_rate_limit(limited: Api) -> None:
    proposal: dict[str, Any] = await limited.submit("official")
    headers = limited.auth("auditor")
    first = await answered(limited, "/v1/proposals", headers, fast=False)
    second = await answered(limited, "/v1/proposals?limit=1", headers, fast=True)
    third = await limited.client.get(f"/v1/proposals/{proposal['id']}", headers=headers)
    fourth = await answered(limited, "/v1/proposals?status=submitted", headers, fast=True)
    remaining = [a.headers["ratelimit-remaining"] for a in (first, second, third, fourth)]
    assert remaining == ["3", "2", "1", "0"]
    refused = await answered(limited, "/v1/proposals", headers, fast=False)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith(PROBLEM)


def test_a_route_with_a_parameter_the_fast_list_does_not_know_stops_it_at_start_up() -> None:
    @get("/v1/proposals", sync_to_thread=False)
    def search(
        status: Annotated[str | None, QueryParameter()] = None,
        prefer: Annotated[str | None, HeaderParameter(name="Prefer")] = None,
    ) -> None:
        """A list route that reads a header the fast list would not look at."""

    with pytest.raises(TypeError, match="prefer"):
        FastProposalList(Litestar(route_handlers=[search]), None)
    with pytest.raises(LookupError):
        FastProposalList(Litestar(route_handlers=[]), None)
