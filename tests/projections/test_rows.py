"""The rows each projection writes follow their table's column order: COPY takes them as is."""

from __future__ import annotations

from collections import Counter

import msgspec

from projections.changes import Change
from projections.projector import PROJECTIONS
from projections.proposals import ProposalsProjection, rows_of
from projections.review_queue import ReviewQueueProjection, queue_row
from projections.schema import LIVE
from projections.stats import KEY_COLUMNS, StatsProjection, contribute
from projections.writes import Writes
from registry.event_types import Decision
from registry.proposal.state import initial_state
from registry.proposal.view import ProposalView
from tests.unit.builders import SURABAYA, review, run, sister_city_terms, submit


def submitted_change() -> Change:
    state = run(submit(sister_city_terms(), initiator=SURABAYA))
    return Change(initial_state(), state, seq=3, position=4)


def named(table: str, row: tuple[object, ...]) -> dict[str, object]:
    return dict(zip([c.name for c in LIVE[table].columns], row, strict=True))


def test_a_proposal_row_names_its_columns_in_the_table_s_order() -> None:
    change = submitted_change()
    rows = rows_of(change)
    proposal = named("proposals", rows["proposals"][0])
    body = proposal["body"]
    assert isinstance(body, bytes)
    view = msgspec.json.decode(body, type=ProposalView)
    assert proposal["id"] == change.after.id == view.id
    assert (proposal["seq"], proposal["position"], proposal["version"]) == (3, 4, 2)
    assert proposal["status"] == "submitted"
    assert proposal["initiator"] == SURABAYA
    assert proposal["end_date"] == view.end_date
    assert isinstance(proposal["search"], str)
    assert view.title.lower() in proposal["search"]
    regions = [named("proposal_regions", row) for row in rows["proposal_regions"]]
    assert {r["region_code"] for r in regions} >= {SURABAYA}
    assert {r["seq"] for r in regions} == {3}
    sdgs = {named("proposal_sdgs", row)["code"] for row in rows["proposal_sdgs"]}
    assert sdgs >= set(view.sdg_targets)
    countries = {named("proposal_countries", row)["country"] for row in rows["proposal_countries"]}
    assert countries == {p.country for p in view.partners}


def test_a_queue_row_names_its_columns_in_the_table_s_order() -> None:
    row = queue_row(submitted_change())
    assert row is not None
    queued = named("review_queue", row)
    assert (queued["seq"], queued["version"]) == (3, 2)
    assert isinstance(queued["parties"], str)
    assert f",{SURABAYA}," in queued["parties"]


def test_count_rows_are_their_key_then_the_count() -> None:
    loader = StatsProjection().loader()
    change = submitted_change()
    loader.add(change)
    counts: Counter[tuple[str, tuple[object, ...]]] = Counter()
    contribute(counts, change.after)
    for table, rows in loader.take(final=True).items():
        assert [c.name for c in LIVE[table].columns] == [*KEY_COLUMNS[table], "count"]
        for row in rows:
            assert counts[table, row[:-1]] == row[-1]


def test_loaders_hand_over_rows_only_when_asked_for_all_or_enough() -> None:
    for projection in (ProposalsProjection(), ReviewQueueProjection()):
        loader = projection.loader()
        loader.add(submitted_change())
        assert loader.take(final=False) == {}
        assert loader.take(final=True)


def reviewed_change(decision: Decision) -> Change:
    submitted = run(submit(sister_city_terms(), initiator=SURABAYA))
    return Change(submitted, run(review(decision), state=submitted), seq=3, position=6)


def test_a_batch_of_submissions_only_inserts_and_adds() -> None:
    changes = [submitted_change()]
    for projection in PROJECTIONS:
        writes = projection.writes(changes)
        assert writes.removals == {}
        assert writes.sweeps == set()
        assert all(count > 0 for rows in writes.additions.values() for *_, count in rows)
        assert set(writes.inserts) | set(writes.additions) == set(projection.tables)


def test_a_change_after_the_submission_replaces_its_rows_and_sweeps_the_counts_it_left() -> None:
    change = reviewed_change(Decision.APPROVE)
    proposals, review_queue, stats = (p.writes([change]) for p in PROJECTIONS)
    assert set(proposals.removals) == set(PROJECTIONS[0].tables)
    assert {removal.keys for removal in proposals.removals.values()} == {(change.after.id,)}
    assert set(proposals.inserts) == set(PROJECTIONS[0].tables)
    # Approved, the proposal leaves the queue: its row is removed and none is inserted.
    assert set(review_queue.removals) == {"review_queue"}
    assert review_queue.inserts == {}
    # `submitted` lost one and `approved` gained one, in the same count tables.
    assert stats.sweeps == {"region_status_counts", "sdg_status_counts"}
    assert stats.removals == {}


def test_merged_writes_keep_every_projection_s_tables() -> None:
    change = reviewed_change(Decision.APPROVE)
    merged = Writes()
    for projection in PROJECTIONS:
        merged.merge(projection.writes([change]))
    assert set(merged.removals) == {"review_queue", *PROJECTIONS[0].tables}
    assert set(merged.inserts) == set(PROJECTIONS[0].tables)
    assert merged.sweeps == {"region_status_counts", "sdg_status_counts"}
    assert set(merged.additions) == merged.sweeps


def test_removing_no_keys_writes_nothing() -> None:
    writes = Writes()
    writes.remove(("proposals",), "id", ())
    writes.insert("proposals", [])
    assert writes == Writes()
