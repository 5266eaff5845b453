"""Region summaries and SDG statistics: counts kept by adding a change's difference.

Counts are kept per stored status and end_date, so that `expired` (an active agreement past
its end_date) is read on the day a query asks, never frozen into a row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Sequence

from projections.base import Loader, Rows
from projections.changes import Change
from projections.writes import Writes
from registry.proposal.state import Proposal
from registry.proposal.status import Status
from registry.reference import load_reference
from registry.terms import Partner

Key = tuple[str, tuple[Hashable, ...]]
KEY_COLUMNS = {
    "region_status_counts": ("region_code", "status", "end_date"),
    "region_partner_counts": ("region_code", "partner"),
    "region_country_counts": ("region_code", "country"),
    "sdg_status_counts": ("goal", "status", "end_date"),
}


Counted = tuple[str, dt.date, str, tuple[Partner, ...], tuple[str, ...]]
"""What a proposal's counts depend on: status, end date, initiator, partners, SDG targets."""


def counted(state: Proposal) -> Counted | None:
    """The part of a proposal that the counts read; None before it is submitted."""
    terms = state.terms
    if terms is None or state.status is Status.NEW:
        return None
    return (state.status.value, terms.end_date, state.initiator, terms.partners, terms.sdg_targets)


def contribute(counts: Counter[Key], state: Proposal, sign: int = 1) -> None:
    """Add (sign -1: take away) what one proposal counts for; nothing before it is submitted."""
    key = counted(state)
    if key is not None:
        add_counts(counts, key, sign)


def add_counts(counts: Counter[Key], key: Counted, times: int) -> None:
    """Add what `times` proposals alike in `key` count for, into the caller's counter."""
    status, end, code, partners, targets = key
    names = {code: load_reference().region_name(code) or code}
    regions, countries = {code}, set()
    for partner in partners:
        names[partner.region_code or partner.name] = partner.name
        if partner.region_code:
            regions.add(partner.region_code)
        countries.add(partner.country)
    for region in regions:
        counts["region_status_counts", (region, status, end)] += times
        for name_key, name in names.items():
            if name_key != region:
                counts["region_partner_counts", (region, name)] += times
        for country in countries:
            counts["region_country_counts", (region, country)] += times
    for goal in {int(target.split(".", 1)[0]) for target in targets}:
        counts["sdg_status_counts", (goal, status, end)] += times


def difference(changes: Sequence[Change]) -> Counter[Key]:
    """The net change of every count over a batch; keys that cancel out are dropped."""
    delta: Counter[Key] = Counter()
    for change in changes:
        contribute(delta, change.after)
        contribute(delta, change.before, -1)
    return Counter({key: n for key, n in delta.items() if n})


class StatsProjection:
    """Keeps the region and SDG count tables."""

    name = "stats"
    tables: tuple[str, ...] = tuple(KEY_COLUMNS)

    def writes(self, changes: Sequence[Change]) -> Writes:
        writes = Writes()
        # A stable key order takes row locks in the same order in every transaction.
        for (table, values), count in sorted(difference(changes).items(), key=repr):
            writes.additions.setdefault(table, []).append((*values, count))
            if count < 0:
                writes.sweeps.add(table)
        return writes

    def loader(self) -> Loader:
        return _StatsLoader()


class _StatsLoader:
    """Counts proposals alike in what the counts read, and expands those into counts at the end.

    Many proposals share a status, an end date, an initiator, partners and targets: one
    increment per proposal, instead of one per count it touches (a dozen), and the expansion
    once per kind of proposal.
    """

    def __init__(self) -> None:
        self.alike: Counter[Counted] = Counter()

    def add(self, change: Change) -> None:
        key = counted(change.after)
        if key is not None:
            self.alike[key] += 1

    def take(self, *, final: bool) -> Rows:
        if not final:
            return {}
        counts: Counter[Key] = Counter()
        for key, times in self.alike.items():
            add_counts(counts, key, times)
        rows: Rows = {}
        for (table, values), count in counts.items():
            rows.setdefault(table, []).append((*values, count))
        self.alike = Counter()
        return rows
