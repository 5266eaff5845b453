"""The offline check of an audit bundle: no database, no server, only the file and a public key.

It proves, reading the file once with O(log n) memory, that
- the events are positions 1..n with none missing, each hashing to its chain hash from the one
  before (so every byte of every event is the one that was chained);
- the Merkle tree over those chain hashes has the root that the tree head signs, for n leaves
  (so the chain and the tree agree, and every event is included in the signed tree);
- the signature verifies with the trusted key;
- given an earlier tree head (or bundle), the earlier tree is a prefix of this one (RFC 9162
  consistency proof), so the log was only ever appended to in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.hashing import GENESIS_HASH
from events.merkle import RangeRoots, consistency_ranges, verify_consistency
from registry.audit.bundle import (
    FORMAT_VERSION,
    BundleEvent,
    BundleHeader,
    BundleTreeHead,
    line_decoder,
)
from registry.audit.keys import KeyUnusable, load_public_key
from registry.audit.tree_head import SignedTreeHead, signature_problem

_BATCH = 4096
_head_decoder = msgspec.json.Decoder(SignedTreeHead)


class BundleBroken(Exception):
    """The bundle fails the check; `position` is the first event at fault, where there is one."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class Checked:
    """A bundle that passed: what it proves."""

    tree_head: SignedTreeHead
    key_id: str
    key_pinned: bool
    chain_head: str
    extends: int | None = None


@dataclass(slots=True)
class _Walk:
    """The state of one pass over the events."""

    hashed: RangeRoots
    previous_hash: bytes = GENESIS_HASH
    count: int = 0
    batch: list[bytes] = field(default_factory=list)

    def take(self, event: BundleEvent) -> None:
        expected = self.count + 1
        if event.position != expected:
            raise BundleBroken(
                f"position {expected} is missing (the next event is {event.position})", expected
            )
        try:
            stored, computed = bytes.fromhex(event.hash), event.chain_hash(self.previous_hash)
        except ValueError as error:
            raise BundleBroken(f"position {expected} is malformed: {error}", expected) from error
        if computed != stored:
            raise BundleBroken(
                f"position {expected}: the event does not hash to its chain hash", expected
            )
        self.previous_hash, self.count = stored, expected
        self.batch.append(stored)
        if len(self.batch) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.hashed.add(self.batch)
        self.batch = []


def check_bundle(
    path: Path, trusted: Ed25519PublicKey | None = None, earlier: SignedTreeHead | None = None
) -> Checked:
    """Prove `path` as the module says; raise BundleBroken naming the first fault."""
    lines = _lines(path)
    header = _header(next(lines, None))
    key = trusted or _bundle_key(header)
    first = earlier.tree_size if earlier is not None else None
    if first is not None and not 0 < first <= header.tree_size:
        raise BundleBroken(
            f"the earlier tree head covers {first} events; this bundle covers {header.tree_size}"
        )
    ranges = consistency_ranges(first, header.tree_size) if first else []
    walk = _Walk(RangeRoots(ranges, [first] if first else []))
    signed = _walk_events(lines, walk)
    walk.flush()
    _compare_head(signed, header, walk, key)
    if earlier is not None:
        _check_extension(earlier, signed, walk, key, ranges)
    return Checked(
        tree_head=signed,
        key_id=header.public_key.key_id,
        key_pinned=trusted is not None,
        chain_head=walk.previous_hash.hex(),
        extends=first,
    )


def _lines(path: Path) -> Iterator[tuple[int, object]]:
    with path.open("rb") as source:
        for number, line in enumerate(source, start=1):
            try:
                yield number, line_decoder.decode(line)
            except msgspec.DecodeError as error:
                yield number, error


def _header(first: tuple[int, object] | None) -> BundleHeader:
    if first is None or not isinstance(first[1], BundleHeader):
        raise BundleBroken("line 1 is not a kerjasama audit bundle header")
    header = first[1]
    if header.format_version != FORMAT_VERSION:
        raise BundleBroken(f"bundle format {header.format_version} is not {FORMAT_VERSION}")
    return header


def _bundle_key(header: BundleHeader) -> Ed25519PublicKey:
    try:
        return load_public_key(header.public_key.pem)
    except (ValueError, KeyUnusable) as error:
        raise BundleBroken(f"the bundle's public key is unusable: {error}") from error


def _walk_events(lines: Iterator[tuple[int, object]], walk: _Walk) -> SignedTreeHead:
    for number, record in lines:
        if isinstance(record, BundleEvent):
            walk.take(record)
        elif isinstance(record, BundleTreeHead):
            if next(lines, None) is not None:
                raise BundleBroken(f"line {number + 1} follows the tree head")
            return record.tree_head
        else:
            raise BundleBroken(
                f"line {number} is not a bundle record ({record}): the bundle is damaged after "
                f"position {walk.count}",
                walk.count + 1,
            )
    raise BundleBroken(
        f"the bundle ends after position {walk.count} with no tree head: it is truncated",
        walk.count + 1,
    )


def _compare_head(
    signed: SignedTreeHead, header: BundleHeader, walk: _Walk, key: Ed25519PublicKey
) -> None:
    problem = signature_problem(signed, key)
    if problem is not None:
        raise BundleBroken(problem)
    if signed.tree_size != header.tree_size:
        raise BundleBroken(
            f"the header announces {header.tree_size} events, the tree head {signed.tree_size}"
        )
    if walk.count < signed.tree_size:
        raise BundleBroken(
            f"the tree head covers {signed.tree_size} events but the bundle holds {walk.count}: "
            f"position {walk.count + 1} is missing",
            walk.count + 1,
        )
    if walk.count > signed.tree_size:
        raise BundleBroken(
            f"the bundle holds {walk.count} events, more than the {signed.tree_size} signed",
            signed.tree_size + 1,
        )
    if walk.hashed.root().hex() != signed.root_hash:
        raise BundleBroken(
            f"the Merkle root of the events, {walk.hashed.root().hex()}, is not the signed root"
        )


def _check_extension(
    earlier: SignedTreeHead,
    signed: SignedTreeHead,
    walk: _Walk,
    key: Ed25519PublicKey,
    ranges: list[tuple[int, int]],
) -> None:
    problem = signature_problem(earlier, key)
    if problem is not None:
        raise BundleBroken(f"the earlier tree head: {problem}")
    proof = walk.hashed.proof(ranges)
    first_root = bytes.fromhex(earlier.root_hash)
    if not verify_consistency(
        earlier.tree_size, signed.tree_size, proof, first_root, bytes.fromhex(signed.root_hash)
    ):
        raise BundleBroken(
            f"this log does not extend the earlier tree head of {earlier.tree_size} events: "
            f"its first {earlier.tree_size} events have root "
            f"{walk.hashed.prefix_roots[earlier.tree_size].hex()}, the earlier head signs "
            f"{earlier.root_hash}"
        )


def earlier_tree_head(path: Path, trusted: Ed25519PublicKey | None) -> SignedTreeHead:
    """An earlier tree head: JSON as `/v1/audit/tree-head` answers it, or a whole bundle, which
    is then checked in full before its tree head is believed."""
    with path.open("rb") as source:
        first = source.readline()
    try:
        record = line_decoder.decode(first)
    except msgspec.DecodeError:
        record = None
    if isinstance(record, BundleHeader):
        try:
            return check_bundle(path, trusted).tree_head
        except BundleBroken as broken:
            raise BundleBroken(f"the earlier bundle: {broken}", broken.position) from broken
    try:
        return _head_decoder.decode(path.read_bytes())
    except msgspec.DecodeError as error:
        raise BundleBroken(f"{path} is neither a tree head nor a bundle: {error}") from error


def first_difference(earlier: Path, later: Path) -> int | None:
    """The first position at which two bundles hold different chain hashes, if any."""
    with earlier.open("rb") as old, later.open("rb") as new:
        for old_line, new_line in zip(old, new, strict=False):
            try:
                before, after = line_decoder.decode(old_line), line_decoder.decode(new_line)
            except msgspec.DecodeError:
                return None
            if isinstance(before, BundleEvent) and isinstance(after, BundleEvent):
                if before.position != after.position or before.hash != after.hash:
                    return before.position
            elif isinstance(before, BundleTreeHead) or isinstance(after, BundleTreeHead):
                return None
    return None
