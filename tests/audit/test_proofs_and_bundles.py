"""Tree heads, proofs and bundles over a real log on each backend, before and after tampering."""

from __future__ import annotations

import io
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from events.envelope import NewEvent
from events.merkle import verify_consistency, verify_inclusion
from events.sql import SqlEventStore
from registry.audit.bundle import write_bundle
from registry.audit.check import BundleBroken, check_bundle, earlier_tree_head, first_difference
from registry.audit.errors import LogBroken, ProofUndefined, TreeSizeUnavailable
from registry.audit.keys import signing_key
from registry.audit.proofs import AuditTrail
from registry.audit.tree_head import signature_problem
from tests.audit.conftest import rewrite_history
from tests.audit.test_merkle_reference import ref_mth
from tests.contract.toy_events import Deposited, ToyEvent
from tests.integration.test_append_only import bypassing_guards, filled_store

EVENTS = 13


async def stored_hashes(store: SqlEventStore[ToyEvent]) -> list[bytes]:
    return [bytes(row[9]) async for page in store.read_rows() for row in page]


async def bundle_of(store: SqlEventStore[ToyEvent], key_file: str, path: Path) -> Path:
    with path.open("wb") as out:
        await write_bundle(store, key_file, out)
    return path


@pytest.fixture
async def trail(engine: AsyncEngine, key_file: str) -> AuditTrail:
    return AuditTrail(engine, await filled_store(engine, EVENTS), key_file)


async def test_tree_heads_are_the_reference_root_of_the_chain_hashes_and_signed(
    trail: AuditTrail, key_file: str
) -> None:
    leaves = await stored_hashes(trail.store)
    public = signing_key(key_file).public_key()
    for size in (0, 1, 7, 8, EVENTS):
        head = await trail.tree_head(size)
        assert (head.tree_size, head.root_hash) == (size, ref_mth(leaves[:size]).hex())
        assert signature_problem(head, public) is None
    forged = msgspec.structs.replace(head, tree_size=EVENTS - 1)
    assert "does not verify" in (signature_problem(forged, public) or "")
    other = Ed25519PrivateKey.generate().public_key()
    assert "not the trusted key" in (signature_problem(head, other) or "")
    assert (await trail.tree_head()).tree_size == EVENTS


async def test_every_inclusion_and_consistency_proof_verifies(trail: AuditTrail) -> None:
    leaves = await stored_hashes(trail.store)
    for position in range(1, EVENTS + 1):
        proof = await trail.inclusion(position)
        assert proof.leaf_hash == leaves[position - 1].hex()
        path = [bytes.fromhex(node) for node in proof.audit_path]
        root = bytes.fromhex(proof.tree_head.root_hash)
        assert verify_inclusion(leaves[position - 1], position - 1, EVENTS, path, root)
    for first, second in [(1, 1), (1, EVENTS), (4, 9), (8, EVENTS), (EVENTS, EVENTS)]:
        answer = await trail.consistency(first, second)
        assert answer.first_tree_head.root_hash == ref_mth(leaves[:first]).hex()
        assert verify_consistency(
            first,
            second,
            [bytes.fromhex(node) for node in answer.proof],
            bytes.fromhex(answer.first_tree_head.root_hash),
            bytes.fromhex(answer.second_tree_head.root_hash),
        )


async def test_impossible_sizes_are_refused_by_name(trail: AuditTrail) -> None:
    with pytest.raises(TreeSizeUnavailable):
        await trail.tree_head(EVENTS + 1)
    with pytest.raises(ProofUndefined) as past_the_end:
        await trail.inclusion(6, 5)
    assert past_the_end.value.field == "position"
    with pytest.raises(ProofUndefined):
        await trail.consistency(9, 5)
    with pytest.raises(TreeSizeUnavailable):
        await trail.consistency(1, EVENTS + 1)


async def test_a_changed_event_is_found_at_its_position_by_verify_proofs_and_bundle(
    engine: AsyncEngine, trail: AuditTrail, key_file: str, tmp_path: Path
) -> None:
    await bypassing_guards(
        engine,
        "UPDATE events SET data = :data WHERE position = 6",
        {"data": b'{"type":"Deposited","amount":999}'},
    )
    assert (await trail.store.verify()).first_bad_position == 6
    with pytest.raises(LogBroken) as refused:
        await trail.inclusion(6)
    assert refused.value.position == 6
    assert (await trail.inclusion(5)).position == 5
    bundle = await bundle_of(trail.store, key_file, tmp_path / "log.jsonl")
    with pytest.raises(BundleBroken) as broken:
        check_bundle(bundle)
    assert broken.value.position == 6
    assert "position 6" in str(broken.value)


async def test_a_deleted_event_stops_the_tree_at_its_position(
    engine: AsyncEngine, trail: AuditTrail, key_file: str
) -> None:
    await bypassing_guards(engine, "DELETE FROM events WHERE position = 4")
    with pytest.raises(LogBroken) as refused:
        await trail.tree_head()
    assert refused.value.position == 4
    with pytest.raises(LogBroken):
        await write_bundle(trail.store, key_file, io.BytesIO())


async def test_a_rewritten_history_passes_verify_but_not_an_earlier_signed_tree_head(
    engine: AsyncEngine, trail: AuditTrail, key_file: str, tmp_path: Path
) -> None:
    before = await bundle_of(trail.store, key_file, tmp_path / "before.jsonl")
    await rewrite_history(engine, trail.store, 6, b'{"type":"Deposited","amount":999}')
    assert (await trail.store.verify()).ok  # the chain alone cannot tell
    after = await bundle_of(trail.store, key_file, tmp_path / "after.jsonl")
    check_bundle(after)  # a self-consistent forgery, on its own
    with pytest.raises(BundleBroken, match="does not extend the earlier tree head"):
        check_bundle(after, earlier=earlier_tree_head(before, None))
    assert first_difference(before, after) == 6
    old = check_bundle(before).tree_head
    now = await trail.consistency(old.tree_size, EVENTS)
    assert now.first_tree_head.root_hash != old.root_hash


async def test_a_later_bundle_extends_an_earlier_one(
    trail: AuditTrail, key_file: str, tmp_path: Path
) -> None:
    before = await bundle_of(trail.store, key_file, tmp_path / "before.jsonl")
    for amount in range(20):
        await trail.store.append("acct-new", [NewEvent(Deposited(amount=amount))])
    after = await bundle_of(trail.store, key_file, tmp_path / "after.jsonl")
    public = signing_key(key_file).public_key()
    checked = check_bundle(after, public, earlier_tree_head(before, public))
    assert (checked.extends, checked.tree_head.tree_size, checked.key_pinned) == (EVENTS, 33, True)
    with pytest.raises(BundleBroken, match="covers 33 events"):
        check_bundle(before, public, earlier_tree_head(after, public))
    stranger = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(BundleBroken, match="not the trusted key"):
        check_bundle(after, stranger)


def cut(source: Path, target: Path, keep: slice) -> Path:
    lines = source.read_bytes().splitlines(keepends=True)
    target.write_bytes(b"".join(lines[keep]))
    return target


async def test_truncated_or_edited_bundles_fail_naming_the_first_bad_position(
    trail: AuditTrail, key_file: str, tmp_path: Path
) -> None:
    whole = await bundle_of(trail.store, key_file, tmp_path / "whole.jsonl")
    assert check_bundle(whole).tree_head.tree_size == EVENTS
    lines = whole.read_bytes().splitlines(keepends=True)
    cases = {
        "no tree head": (b"".join(lines[:-1]), EVENTS + 1),
        "last event gone": (b"".join([*lines[:-2], lines[-1]]), EVENTS),
        "middle event gone": (b"".join([*lines[:5], *lines[6:]]), 5),
        "cut mid-line": (b"".join(lines[:8]) + lines[8][:40], 8),
    }
    for name, (content, position) in cases.items():
        damaged = tmp_path / f"{name}.jsonl"
        damaged.write_bytes(content)
        with pytest.raises(BundleBroken) as broken:
            check_bundle(damaged)
        assert broken.value.position == position, (name, str(broken.value))
    edited = msgspec.json.decode(lines[3])
    edited["data"] = (
        "eyJ0eXBlIjoiRGVwb3NpdGVkIiwiYW1vdW50Ijo3fQ=="  # {"type":"Deposited","amount":7}
    )
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(b"".join([*lines[:3], msgspec.json.encode(edited) + b"\n", *lines[4:]]))
    with pytest.raises(BundleBroken, match="position 3: the event does not hash"):
        check_bundle(forged)
    with pytest.raises(BundleBroken, match="line 1 is not"):
        check_bundle(cut(whole, tmp_path / "headless.jsonl", slice(1, None)))
