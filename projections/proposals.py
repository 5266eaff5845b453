"""The proposals read model: the rendered Proposal of API.md and the columns its filters use."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from projections.base import Loader, RowBuffer, Rows, projected_before
from projections.changes import Change
from projections.writes import Writes
from registry.principles import load_ruleset
from registry.proposal.state import Proposal
from registry.proposal.view import ProposalView, proposal_view
from registry.reference import load_reference

ENCODER = msgspec.json.Encoder()
SIDE_TABLES = ("proposal_regions", "proposal_countries", "proposal_sdgs")


def render(state: Proposal) -> ProposalView:
    """The stored view: the status as recorded (expiry is read at query time, on the day asked)."""
    return proposal_view(state, load_reference(), load_ruleset())


def search_text(view: ProposalView) -> str:
    return f"{view.title}\n{view.summary}".lower()


def rows_of(change: Change) -> Rows:
    """The rows of every proposals table for one proposal's state after a change, each in its
    table's column order (`projections.schema`)."""
    state, seq = change.after, change.seq
    view = render(state)
    pid, partners, targets = view.id, view.partners, view.sdg_targets
    regions = {view.initiator.region_code} | {
        p.region_code for p in partners if p.region_code is not None
    }
    sdgs = {*targets, *(code.split(".", 1)[0] for code in targets)}
    outcome = view.assessment.outcome.value if view.assessment else None
    proposal = (
        pid,
        seq,
        change.position,
        view.version,
        view.status.value,
        view.category.value,
        view.initiator.region_code,
        outcome,
        view.end_date,
        search_text(view),
        ENCODER.encode(view),
    )
    return {
        "proposals": [proposal],
        "proposal_regions": [(pid, region, seq) for region in regions],
        "proposal_countries": [(pid, country, seq) for country in {p.country for p in partners}],
        "proposal_sdgs": [(pid, code, seq) for code in sdgs],
    }


class ProposalsProjection:
    """Keeps `proposals` and its filter tables; a change replaces the proposal's rows whole."""

    name = "proposals"
    tables: tuple[str, ...] = ("proposals", *SIDE_TABLES)

    def writes(self, changes: Sequence[Change]) -> Writes:
        writes = Writes()
        ids = projected_before(changes)
        writes.remove(("proposals",), "id", ids)
        writes.remove(SIDE_TABLES, "proposal_id", ids)
        for change in changes:
            for table, rows in rows_of(change).items():
                writes.insert(table, rows)
        return writes

    def loader(self) -> Loader:
        return _ProposalsLoader()


class _ProposalsLoader:
    def __init__(self) -> None:
        self.buffer = RowBuffer()

    def add(self, change: Change) -> None:
        for table, rows in rows_of(change).items():
            self.buffer.extend(table, rows)

    def take(self, *, final: bool) -> Rows:
        return self.buffer.take(final=final)
