"""The server's JSON log lines: one object per line, whatever the values logged."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator

import pytest
import structlog

from registry.logs import configure_logging


@pytest.fixture
def json_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    before = structlog.get_config()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging(json=True)
    yield stream
    structlog.configure(**before)


class Opaque:
    def __repr__(self) -> str:
        return "<opaque>"


def test_a_log_line_is_json_with_level_time_and_bound_values(json_lines: io.StringIO) -> None:
    with structlog.contextvars.bound_contextvars(request_id="req-1"):
        structlog.get_logger("t").info(
            "request_handled",
            status=200,
            duration_ms=1.25,
            day=dt.date(2027, 1, 1),
            id=uuid.UUID(int=1),
            text="Kota Tangerang ñ ü",
            thing=Opaque(),
        )
    line = json.loads(json_lines.getvalue().splitlines()[-1])
    assert line["event"] == "request_handled"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    assert line["request_id"] == "req-1"
    assert line["status"] == 200
    assert line["duration_ms"] == 1.25
    assert line["day"] == "2027-01-01"
    assert line["id"] == str(uuid.UUID(int=1))
    assert line["text"] == "Kota Tangerang ñ ü"
    # What JSON cannot hold is written as its repr, as structlog's own fallback does.
    assert line["thing"] == "<opaque>"


class Writes(io.StringIO):
    """Records each write call, as each would be one system call on a pipe."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append(text)
        return super().write(text)


def test_each_line_is_written_whole_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers share stderr: a line and its newline written apart could interleave with
    another worker's line and break both."""
    stream = Writes()
    before = structlog.get_config()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging(json=True)
    try:
        log = structlog.get_logger("t")
        log.info("first", n=1)
        log.info("second", n=2)
    finally:
        structlog.configure(**before)
    assert len(stream.calls) == 2
    assert all(call.endswith("\n") and call.count("\n") == 1 for call in stream.calls)
    assert [json.loads(call)["event"] for call in stream.calls] == ["first", "second"]
