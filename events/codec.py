"""Turns event payloads into stored bytes and back, upcasting old schema versions on the way in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import msgspec

from events.envelope import Metadata
from events.errors import DecodingFailed, EncodingFailed, PayloadTooLarge

E = TypeVar("E", bound=msgspec.Struct)

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the raw payload of (type, version n) into the raw payload of version n + 1."""

DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class EncodedPayload:
    type: str
    schema_version: int
    data: bytes


@dataclass(frozen=True, slots=True)
class _EventType:
    cls: type[msgspec.Struct]
    schema_version: int
    decoder: msgspec.json.Decoder[Any]


def _tag_of(cls: type[msgspec.Struct]) -> str:
    tag = cls.__struct_config__.tag
    if not isinstance(tag, str):
        raise TypeError(f"{cls.__name__} must be a msgspec Struct with a string tag")
    return tag


class Codec(Generic[E]):
    """Knows the event types of one application; the store itself knows none."""

    def __init__(
        self,
        event_types: Sequence[type[E]],
        *,
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
        max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    ) -> None:
        self._types: dict[str, _EventType] = {}
        for cls in event_types:
            tag = _tag_of(cls)
            if tag in self._types:
                raise ValueError(f"two event types share the tag {tag!r}")
            version = int(getattr(cls, "schema_version", 1))
            self._types[tag] = _EventType(cls, version, msgspec.json.Decoder(cls))
        self._upcasters = dict(upcasters or {})
        self.max_payload_bytes = max_payload_bytes
        self._encoder = msgspec.json.Encoder()
        self._metadata_decoder = msgspec.json.Decoder(Metadata)

    @property
    def type_names(self) -> frozenset[str]:
        return frozenset(self._types)

    def current_types(self) -> dict[tuple[str, int], type[E]]:
        """Each event class by its tag and the schema version it decodes without upcasting."""
        return {
            (tag, known.schema_version): cast("type[E]", known.cls)
            for tag, known in self._types.items()
        }

    def encode(self, payload: object) -> EncodedPayload:
        known = (
            self._types.get(_tag_of(type(payload))) if isinstance(payload, msgspec.Struct) else None
        )
        if known is None or known.cls is not type(payload):
            raise EncodingFailed(f"{type(payload).__name__} is not an event type of this codec")
        try:
            data = self._encoder.encode(payload)
        except (msgspec.EncodeError, TypeError, OverflowError) as error:
            raise EncodingFailed(f"cannot encode {type(payload).__name__}: {error}") from error
        tag = _tag_of(known.cls)
        if len(data) > self.max_payload_bytes:
            raise PayloadTooLarge(tag, len(data), self.max_payload_bytes)
        return EncodedPayload(tag, known.schema_version, data)

    def decode(self, type_name: str, schema_version: int, data: bytes) -> E:
        known = self._types.get(type_name)
        if known is None:
            raise DecodingFailed(f"unknown event type {type_name!r}")
        try:
            if schema_version == known.schema_version:
                return known.decoder.decode(data)  # type: ignore[no-any-return]
            return self._upcast(type_name, schema_version, known, data)
        except msgspec.DecodeError as error:
            raise DecodingFailed(f"{type_name} v{schema_version}: {error}") from error

    def _upcast(self, type_name: str, version: int, known: _EventType, data: bytes) -> E:
        raw: dict[str, Any] = msgspec.json.decode(data)
        while version < known.schema_version:
            upcast = self._upcasters.get((type_name, version))
            if upcast is None:
                raise DecodingFailed(f"no upcaster for {type_name} v{version}")
            raw = upcast(raw)
            version += 1
        if version != known.schema_version:
            raise DecodingFailed(f"{type_name} v{version} is newer than this code knows")
        return msgspec.convert(raw, known.cls)  # type: ignore[return-value]

    def encode_metadata(self, metadata: Metadata) -> bytes:
        return self._encoder.encode(metadata)

    def decode_metadata(self, data: bytes | str) -> Metadata:
        return self._metadata_decoder.decode(data)
