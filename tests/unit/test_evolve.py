"""Folding: every event type has its step, and anything else is refused."""

from __future__ import annotations

import msgspec
import pytest

from registry.event_types import EVENT_TYPES, Event
from registry.proposal.state import STEPS, evolve, initial_state
from tests.unit.builders import AT


def test_every_event_type_has_a_step() -> None:
    assert set(STEPS) == set(EVENT_TYPES)


def test_an_event_of_another_kind_is_refused() -> None:
    class Stranger(Event, frozen=True):
        name: str

    with pytest.raises(TypeError, match="Stranger is not a proposal event"):
        evolve(initial_state(), Stranger(name="x"), AT)
    with pytest.raises(TypeError):
        evolve(initial_state(), msgspec.Struct(), AT)  # type: ignore[arg-type]
