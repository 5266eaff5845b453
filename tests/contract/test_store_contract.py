"""The event store contract: every backend must pass every test here."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, timedelta

import pytest

from events.envelope import Metadata, NewEvent, StreamState
from events.errors import (
    DuplicateEventId,
    EncodingFailed,
    InvalidAppend,
    InvalidExpectedVersion,
    PayloadTooLarge,
    VersionConflict,
)
from events.store import EventStore
from tests.contract.toy_events import MAX_TEST_PAYLOAD, Anything, Deposited, ToyEvent, Withdrawn

Store = EventStore[ToyEvent]


def deposits(*amounts: int) -> list[NewEvent[ToyEvent]]:
    return [NewEvent(Deposited(amount=amount)) for amount in amounts]


async def everything(store: Store) -> list[tuple[int, str, int]]:
    return [(e.position, e.stream_id, e.version) async for e in store.read_all()]


async def test_first_append_creates_the_stream_at_version_one(store: Store) -> None:
    result = await store.append("acct-1", deposits(10), expected_version=StreamState.NO_STREAM)
    assert (result.first_version, result.version) == (1, 1)
    assert (result.first_position, result.last_position) == (1, 1)
    assert await store.head_position() == 1


async def test_several_events_of_one_append_get_consecutive_versions_and_positions(
    store: Store,
) -> None:
    result = await store.append("acct-1", deposits(1, 2, 3), expected_version=0)
    assert (result.first_version, result.version) == (1, 3)
    assert (result.first_position, result.last_position) == (1, 3)
    assert await everything(store) == [(1, "acct-1", 1), (2, "acct-1", 2), (3, "acct-1", 3)]


async def test_exact_expected_version_appends_after_that_version(store: Store) -> None:
    await store.append("acct-1", deposits(1, 2), expected_version=StreamState.NO_STREAM)
    result = await store.append("acct-1", deposits(3), expected_version=2)
    assert result.version == 3


async def test_stale_expected_version_names_the_actual_version_and_appends_nothing(
    store: Store,
) -> None:
    await store.append("acct-1", deposits(1, 2), expected_version=StreamState.NO_STREAM)
    with pytest.raises(VersionConflict) as conflict:
        await store.append("acct-1", deposits(3, 4), expected_version=1)
    assert (conflict.value.stream_id, conflict.value.expected, conflict.value.actual) == (
        "acct-1",
        1,
        2,
    )
    assert await store.head_position() == 2


async def test_no_stream_refuses_an_existing_stream(store: Store) -> None:
    await store.append("acct-1", deposits(1), expected_version=StreamState.NO_STREAM)
    with pytest.raises(VersionConflict) as conflict:
        await store.append("acct-1", deposits(2), expected_version=StreamState.NO_STREAM)
    assert conflict.value.actual == 1
    assert conflict.value.expected == "no_stream"


async def test_exact_version_refuses_a_stream_that_does_not_exist(store: Store) -> None:
    with pytest.raises(VersionConflict) as conflict:
        await store.append("acct-1", deposits(1), expected_version=3)
    assert conflict.value.actual == 0
    assert await store.head_position() == 0


async def test_any_appends_whatever_the_version(store: Store) -> None:
    await store.append("acct-1", deposits(1))
    result = await store.append("acct-1", deposits(2), expected_version=StreamState.ANY)
    assert result.version == 2


async def test_streams_have_their_own_versions_but_share_positions(store: Store) -> None:
    await store.append("a", deposits(1))
    await store.append("b", deposits(2))
    await store.append("a", deposits(3))
    assert await everything(store) == [(1, "a", 1), (2, "b", 1), (3, "a", 2)]


async def test_repeating_an_append_returns_the_original_result_and_stores_nothing(
    store: Store,
) -> None:
    batch = deposits(1, 2)
    first = await store.append("acct-1", batch, expected_version=StreamState.NO_STREAM)
    await store.append("acct-2", deposits(9))
    again = await store.append("acct-1", batch, expected_version=StreamState.NO_STREAM)
    assert again == first
    assert await store.head_position() == 3


async def test_repeating_an_append_with_any_is_also_idempotent(store: Store) -> None:
    batch = deposits(1)
    first = await store.append("acct-1", batch)
    await store.append("acct-1", deposits(2))
    assert await store.append("acct-1", batch) == first
    assert await store.head_position() == 2


async def test_a_stored_event_id_in_another_stream_is_refused(store: Store) -> None:
    batch = deposits(1)
    await store.append("acct-1", batch)
    with pytest.raises(DuplicateEventId) as duplicate:
        await store.append("acct-2", batch)
    assert (duplicate.value.stream_id, duplicate.value.version) == ("acct-1", 1)
    assert await store.head_position() == 1


async def test_a_partly_stored_append_is_refused_whole(store: Store) -> None:
    stored = deposits(1)
    await store.append("acct-1", stored)
    with pytest.raises(DuplicateEventId):
        await store.append("acct-1", [*stored, *deposits(2)])
    assert await store.head_position() == 1


async def test_a_repeat_at_another_expected_version_is_refused(store: Store) -> None:
    batch = deposits(1)
    await store.append("acct-1", deposits(0))
    await store.append("acct-1", batch, expected_version=1)
    with pytest.raises(DuplicateEventId):
        await store.append("acct-1", batch, expected_version=StreamState.NO_STREAM)


async def test_read_stream_returns_payloads_in_version_order_with_metadata(store: Store) -> None:
    metadata = Metadata(actor="tok-1", role="official", region="36.71", correlation_id="c-1")
    await store.append("acct-1", deposits(1, 2), metadata=metadata)
    await store.append("acct-1", [NewEvent(Withdrawn(amount=1))])
    events = await store.read_stream("acct-1")
    assert [e.payload for e in events] == [
        Deposited(amount=1),
        Deposited(amount=2),
        Withdrawn(amount=1),
    ]
    assert [e.type for e in events] == ["Deposited", "Deposited", "Withdrawn"]
    assert events[0].metadata == metadata
    assert events[2].metadata == Metadata()


async def test_read_stream_by_version_range(store: Store) -> None:
    await store.append("acct-1", deposits(1, 2, 3, 4))
    events = await store.read_stream("acct-1", from_version=2, to_version=3)
    assert [e.version for e in events] == [2, 3]


async def test_read_stream_up_to_a_time(store: Store) -> None:
    first = await store.append("acct-1", deposits(1))
    await asyncio.sleep(0.01)
    await store.append("acct-1", deposits(2))
    events = await store.read_stream("acct-1", until=first.recorded_at)
    assert [e.version for e in events] == [1]
    assert await store.read_stream("acct-1", until=first.recorded_at - timedelta(seconds=1)) == []


async def test_an_unknown_stream_reads_as_empty(store: Store) -> None:
    assert await store.read_stream("nobody") == []


async def test_record_times_are_utc_and_never_go_back(store: Store) -> None:
    for amount in range(5):
        await store.append(f"acct-{amount % 2}", deposits(amount))
    times = [e.recorded_at async for e in store.read_all()]
    assert all(moment.tzinfo is not None and moment.utcoffset() == timedelta(0) for moment in times)
    assert times == sorted(times)
    assert times[0].tzinfo == UTC or times[0].utcoffset() == timedelta(0)


async def test_read_all_pages_through_a_log_longer_than_one_page(store: Store) -> None:
    for chunk in range(25):
        await store.append(f"acct-{chunk % 3}", deposits(*range(100)))
    positions = [e.position async for e in store.read_all()]
    assert positions == list(range(1, 2501))
    after = [e.position async for e in store.read_all(after_position=999, limit=1002)]
    assert after == list(range(1000, 2002))


async def test_read_all_after_the_head_is_empty(store: Store) -> None:
    await store.append("acct-1", deposits(1))
    assert [e async for e in store.read_all(after_position=1)] == []


@pytest.mark.parametrize("expected", ["3", -1, True, None, 1.0])
async def test_an_expected_version_of_an_unknown_kind_is_refused(
    store: Store, expected: object
) -> None:
    with pytest.raises(InvalidExpectedVersion):
        await store.append("acct-1", deposits(1), expected_version=expected)  # type: ignore[arg-type]
    assert await store.head_position() == 0


async def test_a_payload_of_a_type_the_codec_does_not_know_is_refused(store: Store) -> None:
    class Stranger(ToyEvent, frozen=True):
        amount: int

    with pytest.raises(EncodingFailed):
        await store.append("acct-1", [NewEvent(Stranger(amount=1))])
    assert await store.head_position() == 0


async def test_a_payload_the_codec_cannot_encode_is_refused_and_nothing_is_stored(
    store: Store,
) -> None:
    with pytest.raises(EncodingFailed):
        await store.append("acct-1", [*deposits(1), NewEvent(Anything(value=object()))])
    assert await store.head_position() == 0


async def test_an_oversize_payload_is_refused_with_its_size(store: Store) -> None:
    with pytest.raises(PayloadTooLarge) as too_large:
        await store.append("acct-1", [NewEvent(Anything(value="x" * MAX_TEST_PAYLOAD))])
    assert too_large.value.limit == MAX_TEST_PAYLOAD
    assert too_large.value.size > MAX_TEST_PAYLOAD
    assert await store.head_position() == 0


@pytest.mark.parametrize("stream_id", ["", "s" * 201])
async def test_a_bad_stream_id_is_refused(store: Store, stream_id: str) -> None:
    with pytest.raises(InvalidAppend):
        await store.append(stream_id, deposits(1))


async def test_an_empty_append_and_a_repeated_id_are_refused(store: Store) -> None:
    with pytest.raises(InvalidAppend):
        await store.append("acct-1", [])
    same = uuid.uuid4()
    with pytest.raises(InvalidAppend):
        await store.append(
            "acct-1", [NewEvent(Deposited(amount=1), same), NewEvent(Deposited(amount=2), same)]
        )
    assert await store.head_position() == 0


async def test_verify_an_empty_log(store: Store) -> None:
    result = await store.verify()
    assert result.ok
    assert (result.events_checked, result.head_position, result.first_bad_position) == (0, 0, None)


async def test_verify_recomputes_the_whole_chain_and_a_range(store: Store) -> None:
    for amount in range(10):
        await store.append(f"acct-{amount % 3}", deposits(amount, amount))
    whole = await store.verify()
    assert whole.ok
    assert (whole.events_checked, whole.head_position) == (20, 20)
    last = [e async for e in store.read_all()][-1]
    assert whole.head_hash == last.hash
    part = await store.verify(5, 12)
    assert part.ok
    assert part.events_checked == 8


async def test_concurrent_writers_on_one_version_exactly_one_wins(store: Store) -> None:
    await store.append("acct-1", deposits(0))
    outcomes = await asyncio.gather(
        *[store.append("acct-1", deposits(n), expected_version=1) for n in range(20)],
        return_exceptions=True,
    )
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(o, VersionConflict) for o in outcomes if o not in winners)
    assert [e.version for e in await store.read_stream("acct-1")] == [1, 2]


async def test_concurrent_appends_to_many_streams_keep_every_event_once(store: Store) -> None:
    results = await asyncio.gather(
        *[store.append(f"acct-{n % 7}", deposits(n, n)) for n in range(70)]
    )
    assert sorted(p for r in results for p in range(r.first_position, r.last_position + 1)) == (
        list(range(1, 141))
    )
    for stream in range(7):
        versions = [e.version for e in await store.read_stream(f"acct-{stream}")]
        assert versions == list(range(1, 21))
    assert (await store.verify()).ok
