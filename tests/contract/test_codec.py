"""The codec: exact round trips, upcasting of old schema versions, clear refusals."""

from __future__ import annotations

import msgspec
import pytest

from events.errors import DecodingFailed
from tests.contract.toy_events import Deposited, Renamed, toy_codec


def test_a_payload_round_trips_through_its_stored_bytes() -> None:
    codec = toy_codec()
    encoded = codec.encode(Deposited(amount=5, note="gaji"))
    assert (encoded.type, encoded.schema_version) == ("Deposited", 1)
    assert codec.decode(encoded.type, encoded.schema_version, encoded.data) == Deposited(
        amount=5, note="gaji"
    )


def test_an_old_schema_version_is_upcast_on_the_way_in() -> None:
    old = msgspec.json.encode({"type": "Renamed", "title": "Kas Kota"})
    assert toy_codec().decode("Renamed", 1, old) == Renamed(name="Kas Kota")


def test_a_current_schema_version_carries_its_number() -> None:
    assert toy_codec().encode(Renamed(name="x")).schema_version == 2


@pytest.mark.parametrize(
    ("type_name", "version", "data"),
    [
        ("Unknown", 1, b"{}"),
        ("Deposited", 1, b'{"type":"Deposited","amount":"ten"}'),
        ("Deposited", 1, b"not json"),
        ("Renamed", 3, b'{"type":"Renamed","name":"x"}'),
        ("Deposited", 0, b'{"type":"Deposited","amount":1}'),
    ],
)
def test_undecodable_rows_raise_a_typed_error(type_name: str, version: int, data: bytes) -> None:
    with pytest.raises(DecodingFailed):
        toy_codec().decode(type_name, version, data)


def test_two_types_with_one_tag_are_refused() -> None:
    from events.codec import Codec

    with pytest.raises(ValueError, match="share the tag"):
        Codec([Deposited, Deposited])
