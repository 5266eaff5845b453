"""The review queue: proposals awaiting an APEKSI review, with every party region to leave out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from projections.base import Loader, Row, RowBuffer, Rows, projected_before
from projections.changes import Change
from projections.writes import Writes
from registry.ids import ProposalId
from registry.principles.model import Verdict
from registry.proposal.category import Category
from registry.proposal.status import Status
from registry.reference import load_reference
from registry.terms import party_regions

ENCODER = msgspec.json.Encoder()


class QueueItem(msgspec.Struct, frozen=True, kw_only=True):
    """A proposal waiting for review, as a reviewer's work list shows it."""

    id: ProposalId
    version: int
    title: str
    category: Category
    initiator: str
    initiator_name: str
    outcome: Verdict | None
    parties: tuple[str, ...]
    submitted_at: dt.datetime
    updated_at: dt.datetime


def queue_row(change: Change) -> Row | None:
    """The queue row of a proposal that awaits review (in the table's column order), None for
    any other status."""
    state = change.after
    if state.status is not Status.SUBMITTED or state.terms is None or state.id is None:
        return None
    if state.submitted_at is None:
        return None
    parties = tuple(sorted(party_regions(state.initiator, state.terms)))
    item = QueueItem(
        id=state.id,
        version=state.version,
        title=state.terms.title,
        category=state.category or Category.KSDD,
        initiator=state.initiator,
        initiator_name=load_reference().region_name(state.initiator) or state.initiator,
        outcome=state.assessment.outcome if state.assessment else None,
        parties=parties,
        submitted_at=state.submitted_at,
        updated_at=state.updated_at or state.submitted_at,
    )
    return (state.id, change.seq, state.version, f",{','.join(parties)},", ENCODER.encode(item))


class ReviewQueueProjection:
    """Keeps `review_queue`: a proposal enters when submitted and leaves at any other status."""

    name = "review_queue"
    tables: tuple[str, ...] = ("review_queue",)

    def writes(self, changes: Sequence[Change]) -> Writes:
        writes = Writes()
        writes.remove(self.tables, "proposal_id", projected_before(changes))
        writes.insert("review_queue", [r for c in changes if (r := queue_row(c)) is not None])
        return writes

    def loader(self) -> Loader:
        return _QueueLoader()


class _QueueLoader:
    def __init__(self) -> None:
        self.buffer = RowBuffer()

    def add(self, change: Change) -> None:
        row = queue_row(change)
        if row is not None:
            self.buffer.extend("review_queue", [row])

    def take(self, *, final: bool) -> Rows:
        return self.buffer.take(final=final)
