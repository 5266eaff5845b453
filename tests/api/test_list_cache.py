"""The list's kept pages (`projections/page_cache.py`): served again only while the proposals
read model has not moved, byte for byte the page a fresh query answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from prometheus_client import REGISTRY

from projections import checkpoints
from projections.page_cache import PageCache, page_key, read_stamp
from projections.page_json import proposal_page_json
from projections.queries import ProposalFilter
from registry.clock import today
from tests.api.conftest import Api, draft
from tests.unit.builders import BANYUWANGI

LIST = "/v1/proposals?region=31.71&limit=20"


def answered(how: str) -> float:
    return REGISTRY.get_sample_value("kerjasama_list_pages_total", {"answer": how}) or 0.0


async def fresh_page(api: Api, limit: int = 50) -> bytes:
    """The page of every proposal as a query answers it now, nothing kept."""
    return await proposal_page_json(
        api.services.reader, ProposalFilter(), limit=limit, cursor=None, today=today()
    )


def kept_pages(api: Api, **bounds: int) -> PageCache:
    """A cache of its own on the app's database, its stamp read as the app's is."""
    return PageCache(api.services.reader, api.services.hot_reads, **bounds)


async def listed(api: Api, path: str = "/v1/proposals", who: str = "reviewer") -> list[str]:
    page = await api.client.get(path, headers=api.auth(who))
    assert page.status_code == 200, page.text
    return [item["id"] for item in page.json()["items"]]


async def test_a_repeated_page_is_kept_until_the_next_event_is_projected(api: Api) -> None:
    first = await api.submit()
    assert await listed(api) == [first["id"]]
    kept = answered("kept")
    assert await listed(api) == [first["id"]]
    assert answered("kept") == kept + 1
    second = await api.submit(body=draft(partner=BANYUWANGI))
    assert await listed(api) == [second["id"], first["id"]]


async def test_a_kept_page_is_the_page_a_fresh_query_answers(api: Api) -> None:
    for _ in range(3):
        await api.submit()
    once = await api.client.get("/v1/proposals?limit=2", headers=api.auth("auditor"))
    again = await api.client.get("/v1/proposals?limit=2", headers=api.auth("auditor"))
    # Litestar's own route keeps and serves the same pages as the fast list in front of it.
    routed = await api.routes.get("/v1/proposals?limit=2", headers=api.auth("auditor"))
    fresh = await fresh_page(api, limit=2)
    assert once.content == again.content == routed.content == fresh


async def test_a_page_read_while_the_projection_moved_is_not_served_after_it(api: Api) -> None:
    """The stamp is read before the page: a page that already shows a newer event is kept
    under the older stamp, which no request reads again once the checkpoint has moved."""
    await api.submit()
    key = page_key(ProposalFilter(), 50, None, today())
    pages = kept_pages(api)

    async def read_after_a_submission() -> bytes:
        await api.submit()
        return await fresh_page(api)

    during = await pages.page(key, read_after_a_submission)
    after = await pages.page(key, lambda: fresh_page(api))
    assert after == during == await fresh_page(api)
    assert len(pages) == 1


async def test_a_page_read_before_the_projection_moved_is_not_served_after_it(api: Api) -> None:
    """The page is read, then an event is projected before it is kept: kept under the stamp read
    before it, the next request finds the stamp moved and reads the page afresh."""
    key = page_key(ProposalFilter(), 50, None, today())
    pages = kept_pages(api)

    async def read_then_a_submission() -> bytes:
        page = await fresh_page(api)
        await api.submit()
        return page

    before = await pages.page(key, read_then_a_submission)
    after = await pages.page(key, lambda: fresh_page(api))
    assert before != after
    assert after == await fresh_page(api)


async def test_a_checkpoint_put_in_place_by_a_rebuild_changes_the_stamp(api: Api) -> None:
    await api.submit()
    before = await read_stamp(api.services.reader, api.services.hot_reads)
    async with api.services.engine.begin() as conn:
        position = await checkpoints.read(conn, "proposals")
        # What `swap.swap_in` does: the same position, a rebuilt read model.
        await checkpoints.set_position(conn, "proposals", position)
    after = await read_stamp(api.services.reader, api.services.hot_reads)
    assert before[0] == after[0]
    assert before != after


async def test_the_least_recently_asked_page_is_dropped_first(api: Api) -> None:
    pages = kept_pages(api, pages=2)
    reads: list[str] = []

    def reading(name: str) -> Callable[[], Awaitable[bytes]]:
        async def read() -> bytes:
            reads.append(name)
            return name.encode()

        return read

    for name in ["a", "b", "a", "c", "a", "b"]:
        assert await pages.page((name,), reading(name)) == name.encode()
    # `a` stays (asked most recently each time), `b` was dropped for `c`, and `c` for `b`.
    assert reads == ["a", "b", "c", "b"]
    assert len(pages) == 2


async def test_no_page_is_kept_when_the_cache_is_off(api: Api) -> None:
    pages = kept_pages(api, pages=0)
    reads = 0

    async def read() -> bytes:
        nonlocal reads
        reads += 1
        return b"{}"

    for _ in range(3):
        await pages.page(("page",), read)
    assert reads == 3
    assert len(pages) == 0


async def test_a_filtered_page_of_the_region_is_kept_apart(api: Api) -> None:
    await api.submit()
    everything = await listed(api)
    assert await listed(api, LIST) == []
    assert await listed(api) == everything


async def test_the_kept_pages_stay_within_their_bytes(api: Api) -> None:
    pages = kept_pages(api, pages=10, kept_bytes=250)

    async def read() -> bytes:
        return b"x" * 100

    for name in ["a", "b", "c", "a"]:
        await pages.page((name,), read)
    assert len(pages) == 2
    assert pages.kept_bytes == 200

    async def too_large() -> bytes:
        return b"x" * 251

    await pages.page(("large",), too_large)
    assert len(pages) == 2


async def test_under_concurrent_submissions_each_submitter_lists_its_own_at_once(
    api: Api,
) -> None:
    """Readers keep the page warm while submitters write: every submitter's next list, read
    right after its 201, shows its proposal (a kept page never hides a projected event)."""
    stop = asyncio.Event()

    async def keep_reading() -> int:
        reads = 0
        while not stop.is_set():
            # Within the auditor token's rate limit (200 a second) for the two readers.
            await listed(api, who="auditor")
            reads += 1
            await asyncio.sleep(0.02)
        return reads

    async def submit_and_list() -> None:
        for _ in range(3):
            proposal = await api.submit()
            assert proposal["id"] in await listed(api)

    readers = [asyncio.create_task(keep_reading()) for _ in range(2)]
    try:
        await asyncio.gather(*(submit_and_list() for _ in range(4)))
    finally:
        stop.set()
    assert all(await asyncio.gather(*readers))
    assert len(await listed(api)) == 12
