"""Hypothesis: any sequence of appends obeys the version rules, exactly as a tiny model says."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.envelope import AppendResult, ExpectedVersion, NewEvent, StreamState
from events.errors import VersionConflict
from events.store import EventStore
from tests.contract.toy_events import Deposited, ToyEvent


@dataclass(frozen=True)
class Op:
    stream: int
    expectation: str  # right | wrong | no_stream | any | repeat
    size: int
    skew: int


ops = st.lists(
    st.builds(
        Op,
        stream=st.integers(0, 2),
        expectation=st.sampled_from(["right", "wrong", "no_stream", "any", "repeat"]),
        size=st.integers(1, 3),
        skew=st.sampled_from([-2, -1, 1, 5]),
    ),
    max_size=12,
)


def expected_for(op: Op, version: int) -> ExpectedVersion:
    match op.expectation:
        case "right":
            return version
        case "wrong":
            candidate = version + op.skew
            return candidate if candidate >= 0 else version + 1
        case "no_stream":
            return StreamState.NO_STREAM
        case _:
            return StreamState.ANY


def model_accepts(expected: ExpectedVersion, version: int) -> bool:
    if expected is StreamState.ANY:
        return True
    if expected is StreamState.NO_STREAM:
        return version == 0
    return expected == version


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=ops)
async def test_appends_follow_the_version_model(
    store: EventStore[ToyEvent], sequence: list[Op]
) -> None:
    prefix = uuid.uuid4().hex  # examples share the test's database; streams must not
    versions = [0, 0, 0]
    done: list[tuple[str, list[NewEvent[ToyEvent]], ExpectedVersion, AppendResult]] = []
    start = await store.head_position()
    stored = 0
    for op in sequence:
        if op.expectation == "repeat" and done:
            stream_id, repeated, expected, original = done[-1]
            assert await store.append(stream_id, repeated, expected_version=expected) == original
            continue
        stream_id = f"{prefix}-{op.stream}"
        version = versions[op.stream]
        expected = expected_for(op, version)
        batch: list[NewEvent[ToyEvent]] = [NewEvent(Deposited(amount=n)) for n in range(op.size)]
        if model_accepts(expected, version):
            result = await store.append(stream_id, batch, expected_version=expected)
            assert (result.first_version, result.version) == (version + 1, version + op.size)
            versions[op.stream] += op.size
            stored += op.size
            done.append((stream_id, batch, expected, result))
        else:
            with pytest.raises(VersionConflict) as conflict:
                await store.append(stream_id, batch, expected_version=expected)
            assert conflict.value.actual == version
    assert await store.head_position() == start + stored
    for index, version in enumerate(versions):
        stream = await store.read_stream(f"{prefix}-{index}")
        assert [e.version for e in stream] == list(range(1, version + 1))
