"""The read-model tables, in a MetaData of their own, and copies of them to rebuild beside."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    false,
)

from events.schema import UtcDateTime

# The store's spelling of a log position: BIGINT, INTEGER on SQLite.
Position = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Position, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)


def _read_models(target: MetaData, suffix: str = "") -> dict[str, Table]:
    """Every read-model table; a suffix names the copy a rebuild fills beside the live one."""

    def table(name: str, *columns: Column[object], indexes: tuple[tuple[str, ...], ...]) -> Table:
        made = Table(f"{name}{suffix}", target, *columns)
        for index in indexes:
            Index(f"{name}_{'_'.join(index)}{suffix}", *(made.c[c] for c in index))
        return made

    def uuid_key(name: str = "proposal_id") -> Column[object]:
        return Column(name, Uuid, primary_key=True)

    # `seq` is the position of the ProposalSubmitted event: stable across rebuilds, unique,
    # and the keyset that pages every list newest first.
    tables = {
        "proposals": table(
            "proposals",
            uuid_key("id"),
            Column("seq", Position, nullable=False),
            Column("position", Position, nullable=False),
            Column("version", Integer, nullable=False),
            Column("status", String(32), nullable=False),
            Column("category", String(8), nullable=False),
            Column("initiator", String(16), nullable=False),
            Column("outcome", String(16), nullable=True),
            Column("end_date", Date, nullable=False),
            Column("search", Text, nullable=False),
            Column("body", LargeBinary, nullable=False),
            indexes=(("seq",), ("status", "seq"), ("outcome", "seq"), ("status", "end_date")),
        ),
        "proposal_regions": table(
            "proposal_regions",
            uuid_key(),
            Column("region_code", String(16), primary_key=True),
            Column("seq", Position, nullable=False),
            indexes=(("region_code", "seq"),),
        ),
        "proposal_countries": table(
            "proposal_countries",
            uuid_key(),
            Column("country", String(8), primary_key=True),
            Column("seq", Position, nullable=False),
            indexes=(("country", "seq"),),
        ),
        # One row per target ("11.6") and one per goal ("11"): `sdg=` matches either exactly.
        "proposal_sdgs": table(
            "proposal_sdgs",
            uuid_key(),
            Column("code", String(8), primary_key=True),
            Column("seq", Position, nullable=False),
            indexes=(("code", "seq"),),
        ),
        "review_queue": table(
            "review_queue",
            uuid_key(),
            Column("seq", Position, nullable=False),
            Column("version", Integer, nullable=False),
            # ",36.71,35.78,": every party region, so a reviewer's own can be left out.
            Column("parties", Text, nullable=False),
            Column("item", LargeBinary, nullable=False),
            indexes=(("seq",),),
        ),
        # Counts by stored status and end_date, so that `expired` is read on the day asked.
        "region_status_counts": table(
            "region_status_counts",
            Column("region_code", String(16), primary_key=True),
            Column("status", String(32), primary_key=True),
            Column("end_date", Date, primary_key=True),
            Column("count", Integer, nullable=False),
            indexes=(),
        ),
        "region_partner_counts": table(
            "region_partner_counts",
            Column("region_code", String(16), primary_key=True),
            Column("partner", String(300), primary_key=True),
            Column("count", Integer, nullable=False),
            indexes=(),
        ),
        "region_country_counts": table(
            "region_country_counts",
            Column("region_code", String(16), primary_key=True),
            Column("country", String(8), primary_key=True),
            Column("count", Integer, nullable=False),
            indexes=(),
        ),
        "sdg_status_counts": table(
            "sdg_status_counts",
            Column("goal", Integer, primary_key=True),
            Column("status", String(32), primary_key=True),
            Column("end_date", Date, primary_key=True),
            Column("count", Integer, nullable=False),
            indexes=(),
        ),
    }
    search_index(tables["proposals"], suffix)
    return tables


def search_index(proposals: Table, suffix: str = "") -> Index:
    """`q=` is a substring match: a trigram GIN index answers it on PostgreSQL.

    Without it a rare word reads every proposal. SQLite has no such index, so there it is an
    empty partial index: one declared schema for both dialects (the migration test compares
    them), and nothing to maintain or to mislead the planner.
    """
    return Index(
        f"proposals_search_trgm{suffix}",
        proposals.c.search,
        postgresql_using="gin",
        postgresql_ops={"search": "gin_trgm_ops"},
        sqlite_where=false(),
    )


@dataclass(frozen=True, slots=True)
class ReadModels:
    """One set of read-model tables: the live ones, or a copy filled by a rebuild."""

    tables: dict[str, Table]
    metadata: MetaData
    suffix: str = ""

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


LIVE = ReadModels(_read_models(metadata), metadata)
REBUILD_SUFFIX = "__rebuild"


def beside() -> ReadModels:
    """Copies of every read-model table under other names, for a rebuild to fill."""
    copies = MetaData()
    return ReadModels(_read_models(copies, REBUILD_SUFFIX), copies, REBUILD_SUFFIX)


# Status and end_date are strongly correlated (`active` with a past end_date is what `expired`
# means), and the planner assumes columns are independent: without a multi-column MCV list it
# estimates thousands of rows for `status=active` on a day when none remain, and walks a whole
# filter index to prove it. PostgreSQL only; SQLite's planner has no such statistics.
STATISTICS = (("proposals_status_end_date", "proposals", ("status", "end_date")),)


def create_statistics(models: ReadModels, table: str | None = None) -> list[str]:
    """The PostgreSQL statements that give one set of read-model tables (or one of its tables,
    by its live name) their statistics."""
    return [
        f'CREATE STATISTICS IF NOT EXISTS "{name}{models.suffix}" (mcv) '
        f'ON {", ".join(columns)} FROM "{models[on].name}"'
        for name, on, columns in STATISTICS
        if table is None or on == table
    ]
