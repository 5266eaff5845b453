"""Region summaries and SDG statistics: counts kept by adding a change's difference.

Counts are kept per stored status and end_date, so that `expired` (an active agreement past
its end_date) is read on the day a query asks, never frozen into a row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from projections.base import Loader, Rows
from projections.changes import Change
from projections.schema import ReadModels
from registry.proposal.state import Proposal
from registry.proposal.status import Status
from registry.reference import load_reference

Key = tuple[str, tuple[Hashable, ...]]
KEY_COLUMNS = {
    "region_status_counts": ("region_code", "status", "end_date"),
    "region_partner_counts": ("region_code", "partner"),
    "region_country_counts": ("region_code", "country"),
    "sdg_status_counts": ("goal", "status", "end_date"),
}


def contribute(counts: Counter[Key], state: Proposal, sign: int = 1) -> None:
    """Add (sign -1: take away) what one proposal counts for; nothing before it is submitted.

    Into the caller's counter rather than a fresh one: a rebuild sums one per proposal.
    """
    terms = state.terms
    if terms is None or state.status is Status.NEW:
        return
    status, end, code = state.status.value, terms.end_date, state.initiator
    # One pass over the partners: a rebuild counts every proposal of the log through here.
    names = {code: load_reference().region_name(code) or code}
    regions, countries = {code}, set()
    for partner in terms.partners:
        names[partner.region_code or partner.name] = partner.name
        if partner.region_code:
            regions.add(partner.region_code)
        countries.add(partner.country)
    for region in regions:
        counts["region_status_counts", (region, status, end)] += sign
        for key, name in names.items():
            if key != region:
                counts["region_partner_counts", (region, name)] += sign
        for country in countries:
            counts["region_country_counts", (region, country)] += sign
    for goal in {int(code.split(".", 1)[0]) for code in terms.sdg_targets}:
        counts["sdg_status_counts", (goal, status, end)] += sign


def difference(changes: Sequence[Change]) -> Counter[Key]:
    """The net change of every count over a batch; keys that cancel out are dropped."""
    delta: Counter[Key] = Counter()
    for change in changes:
        contribute(delta, change.after)
        contribute(delta, change.before, -1)
    return Counter({key: n for key, n in delta.items() if n})


def _row(table: str, values: tuple[Hashable, ...], count: int) -> dict[str, object]:
    return {**dict(zip(KEY_COLUMNS[table], values, strict=True)), "count": count}


async def _add(conn: AsyncConnection, table: Table, rows: list[dict[str, object]]) -> None:
    """count += n per key, inserting missing keys; then drop the keys that reached zero."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    upsert = statement.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={"count": table.c["count"] + statement.excluded["count"]},
    )
    await conn.execute(upsert, rows)
    await conn.execute(delete(table).where(table.c["count"] == 0))


class StatsProjection:
    """Keeps the region and SDG count tables."""

    name = "stats"
    tables: tuple[str, ...] = tuple(KEY_COLUMNS)

    async def apply(
        self, conn: AsyncConnection, models: ReadModels, changes: Sequence[Change]
    ) -> None:
        by_table: dict[str, list[dict[str, object]]] = {}
        # A stable key order takes row locks in the same order in every transaction.
        for (table, values), count in sorted(difference(changes).items(), key=repr):
            by_table.setdefault(table, []).append(_row(table, values, count))
        for table, rows in by_table.items():
            await _add(conn, models[table], rows)

    def loader(self, models: ReadModels) -> Loader:
        return _StatsLoader(models)


class _StatsLoader:
    """Sums every proposal's final contribution in memory: the counts are few, the rows many."""

    def __init__(self, models: ReadModels) -> None:
        self.models = models
        self.counts: Counter[Key] = Counter()

    def add(self, change: Change) -> None:
        contribute(self.counts, change.after)

    def take(self, *, final: bool) -> Rows:
        if not final:
            return {}
        rows: Rows = {}
        for (table, values), count in self.counts.items():
            rows.setdefault(table, []).append((*values, count))
        self.counts = Counter()
        return rows
