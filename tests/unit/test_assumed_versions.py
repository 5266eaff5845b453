"""What a batch assumes of its streams' versions when it is planned without the head's lock."""

from __future__ import annotations

from events.envelope import ExpectedVersion, NewEvent, StreamState
from events.planning import PreparedAppend, assumed_versions, prepare
from tests.contract.toy_events import Deposited, toy_codec


def append(stream_id: str, expected: ExpectedVersion) -> PreparedAppend:
    return prepare(toy_codec(), stream_id, [NewEvent(Deposited(amount=1))], expected, None)


def test_each_stream_is_assumed_where_its_first_append_expects_it() -> None:
    batch = [
        append("a", StreamState.NO_STREAM),
        append("b", 4),
        append("a", 1),  # the batch's own first append moves "a" there
        append("b", 9),
    ]
    assert assumed_versions(batch) == {"a": 0, "b": 4}


def test_an_append_at_any_version_leaves_nothing_to_assume() -> None:
    batch = [append("a", 0), append("b", StreamState.ANY)]
    assert assumed_versions(batch) is None
