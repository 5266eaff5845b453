"""Toy events for the store's contract: the store must work with any application's events."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from events.codec import Codec


class ToyEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag=True):
    """Base of the toy events."""


class Deposited(ToyEvent, frozen=True):
    amount: int
    note: str = ""


class Withdrawn(ToyEvent, frozen=True):
    amount: int


class Renamed(ToyEvent, frozen=True):
    schema_version: ClassVar[int] = 2
    name: str
    reason: str = "none given"


class Anything(ToyEvent, frozen=True):
    """A payload that can hold values no codec can encode, to test refusals."""

    value: Any = None


TOY_TYPES: list[type[ToyEvent]] = [Deposited, Withdrawn, Renamed, Anything]
MAX_TEST_PAYLOAD = 4096


def rename_title_to_name(raw: dict[str, Any]) -> dict[str, Any]:
    """Renamed v1 called its field `title`; v2 calls it `name`."""
    upcast = {key: value for key, value in raw.items() if key != "title"}
    upcast["name"] = raw["title"]
    return upcast


def toy_codec() -> Codec[ToyEvent]:
    return Codec(
        TOY_TYPES,
        upcasters={("Renamed", 1): rename_title_to_name},
        max_payload_bytes=MAX_TEST_PAYLOAD,
    )
