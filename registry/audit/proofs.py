"""Tree heads and proofs over the live log: the IO around `events.merkle`, signed on the way out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from events.hashing import GENESIS_HASH
from events.merkle import Range, RangeRoots, consistency_ranges, inclusion_ranges
from events.records import recompute_hash
from events.sql import SqlEventStore
from registry.audit.errors import LogBroken, ProofUndefined, TreeSizeUnavailable
from registry.audit.keys import signing_key
from registry.audit.leaves import leaf_pages
from registry.audit.tree_head import SignedTreeHead, sign_tree_head


class InclusionProof(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 9162 §2.1.3: `audit_path` leads from `leaf_hash` at leaf `position - 1` to the root."""

    position: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]
    tree_head: SignedTreeHead


class ConsistencyProof(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 9162 §2.1.4: `proof` shows the tree of `second` leaves extends the tree of `first`."""

    first: int
    second: int
    proof: list[str]
    first_tree_head: SignedTreeHead
    second_tree_head: SignedTreeHead


@dataclass(frozen=True, slots=True)
class AuditTrail:
    """Signs tree heads and proves inclusion and consistency for the log in `engine`."""

    engine: AsyncEngine
    store: SqlEventStore[Any]
    key_file: str
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def tree_head(self, size: int | None = None) -> SignedTreeHead:
        size = await self._existing(size)
        hashed = await self._hash(size, [])
        return self._sign(size, hashed.root())

    async def inclusion(self, position: int, size: int | None = None) -> InclusionProof:
        size = await self._existing(size)
        if position > size:
            raise ProofUndefined("position", f"position {position} is not in a tree of {size}")
        leaf = await self._checked_leaf(position)
        ranges = inclusion_ranges(position - 1, size)
        hashed = await self._hash(size, ranges)
        return InclusionProof(
            position=position,
            tree_size=size,
            leaf_hash=leaf.hex(),
            audit_path=[node.hex() for node in hashed.proof(ranges)],
            tree_head=self._sign(size, hashed.root()),
        )

    async def consistency(self, first: int, second: int | None = None) -> ConsistencyProof:
        second = await self._existing(second)
        if first > second:
            raise ProofUndefined("first", f"a tree of {first} cannot precede one of {second}")
        ranges = consistency_ranges(first, second)
        hashed = await self._hash(second, ranges, prefixes=[first])
        return ConsistencyProof(
            first=first,
            second=second,
            proof=[node.hex() for node in hashed.proof(ranges)],
            first_tree_head=self._sign(first, hashed.prefix_roots[first]),
            second_tree_head=self._sign(second, hashed.root()),
        )

    async def _existing(self, size: int | None) -> int:
        head = await self.store.head_position()
        if size is None:
            return head
        if size > head:
            raise TreeSizeUnavailable(size, head)
        return size

    async def _hash(
        self, size: int, ranges: Sequence[Range], prefixes: Sequence[int] = ()
    ) -> RangeRoots:
        hashed = RangeRoots(ranges, prefixes)
        async for page in leaf_pages(self.engine, size):
            hashed.add(page)
        return hashed

    async def _checked_leaf(self, position: int) -> bytes:
        """The stored hash of `position`, once its row is shown to hash to it from its predecessor.

        A proof for a leaf whose event no longer matches it would prove the old event, not the
        one the log now holds: refuse it and name the place.
        """
        rows = [
            row
            async for page in self.store.read_rows(after_position=max(position - 2, 0), limit=2)
            for row in page
        ]
        by_position = {row[0]: row for row in rows}
        if position not in by_position:
            raise LogBroken(position, "the event is missing from the log")
        previous = by_position.get(position - 1)
        if position > 1 and previous is None:
            raise LogBroken(position - 1, "the event is missing from the log")
        previous_hash = bytes(previous[9]) if previous is not None else GENESIS_HASH
        stored = bytes(by_position[position][9])
        if recompute_hash(previous_hash, by_position[position]) != stored:
            raise LogBroken(position, "the event no longer hashes to its stored chain hash")
        return stored

    def _sign(self, size: int, root: bytes) -> SignedTreeHead:
        return sign_tree_head(signing_key(self.key_file), size, root, self.clock())
