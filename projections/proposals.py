"""The proposals read model: the rendered Proposal of API.md and the columns its filters use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from projections.base import Loader, RowBuffer, Rows, delete_keys, projected_before
from projections.changes import Change
from projections.schema import ReadModels
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


def rows_of(change: Change) -> dict[str, list[dict[str, Any]]]:
    """The rows of every proposals table for one proposal's state after a change."""
    state, seq = change.after, change.seq
    view = render(state)
    pid = view.id
    regions = {view.initiator.region_code} | {
        p.region_code for p in view.partners if p.region_code is not None
    }
    sdgs = set(view.sdg_targets) | {code.split(".", 1)[0] for code in view.sdg_targets}
    return {
        "proposals": [
            {
                "id": pid,
                "seq": seq,
                "position": change.position,
                "version": view.version,
                "status": view.status.value,
                "category": view.category.value,
                "initiator": view.initiator.region_code,
                "outcome": view.assessment.outcome.value if view.assessment else None,
                "end_date": view.end_date,
                "search": search_text(view),
                "body": ENCODER.encode(view),
            }
        ],
        "proposal_regions": [{"proposal_id": pid, "region_code": r, "seq": seq} for r in regions],
        "proposal_countries": [
            {"proposal_id": pid, "country": c, "seq": seq}
            for c in {p.country for p in view.partners}
        ],
        "proposal_sdgs": [{"proposal_id": pid, "code": c, "seq": seq} for c in sdgs],
    }


class ProposalsProjection:
    """Keeps `proposals` and its filter tables; a change replaces the proposal's rows whole."""

    name = "proposals"
    tables: tuple[str, ...] = ("proposals", *SIDE_TABLES)

    async def apply(
        self, conn: AsyncConnection, models: ReadModels, changes: Sequence[Change]
    ) -> None:
        ids = projected_before(changes)
        await delete_keys(conn, models["proposals"], "id", ids)
        for name in SIDE_TABLES:
            await delete_keys(conn, models[name], "proposal_id", ids)
        buffer = RowBuffer(models)
        for change in changes:
            for table, rows in rows_of(change).items():
                buffer.extend(table, rows)
        await buffer.flush(conn, final=True)

    def loader(self, models: ReadModels) -> Loader:
        return _ProposalsLoader(models)


class _ProposalsLoader:
    def __init__(self, models: ReadModels) -> None:
        self.buffer = RowBuffer(models)

    def add(self, change: Change) -> None:
        for table, rows in rows_of(change).items():
            self.buffer.extend(table, rows)

    def take(self, *, final: bool) -> Rows:
        return self.buffer.take(final=final)
