"""Every event type as first written still decodes: stored history must outlive code changes.

The fixtures in tests/fixtures/events/ are written once and never edited. A new event type or a
new schema version adds a fixture; an old one stays as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events.codec import Codec
from registry.event_types import EVENT_TYPES, Event

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"
CODEC = Codec(EVENT_TYPES)


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def test_every_event_type_has_a_fixture_of_its_current_schema_version() -> None:
    names = {path.name for path in fixture_files()}
    missing = [
        f"{cls.__name__}.v{cls.schema_version}.json"
        for cls in EVENT_TYPES
        if f"{cls.__name__}.v{cls.schema_version}.json" not in names
    ]
    assert missing == []


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_a_fixture_decodes_with_the_current_types(path: Path) -> None:
    type_name, version = path.stem.rsplit(".v", 1)
    raw = path.read_bytes()
    event = CODEC.decode(type_name, int(version), raw)
    assert isinstance(event, Event)
    assert type(event).__name__ == type_name
    assert _contains(json.loads(CODEC.encode(event).data), json.loads(raw))


def _contains(current: Any, original: Any) -> bool:
    """Every value first written is still there; fields added since (with defaults) may be more."""
    if isinstance(original, dict):
        return isinstance(current, dict) and all(
            key in current and _contains(current[key], value) for key, value in original.items()
        )
    if isinstance(original, list):
        return (
            isinstance(current, list)
            and len(current) == len(original)
            and all(_contains(c, o) for c, o in zip(current, original, strict=True))
        )
    return bool(current == original)
