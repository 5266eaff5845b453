"""RFC 9162 Merkle trees over the log: tree hashes, proof shapes and proof checks, with no IO.

A proof is the list of the roots of some subtrees; which subtrees depends on the sizes alone.
So the proof functions here name ranges of leaves (`inclusion_ranges`, `consistency_ranges`),
and whoever holds the leaves (a list in a test, a database stream, a bundle file) hashes each
range with a `TreeBuilder`. A builder keeps only the roots of its complete power-of-two blocks
(a "compact range"): O(log n) memory however many leaves stream through it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

Range = tuple[int, int]
"""Leaves [start, end) by zero-based leaf index (leaf i is the event at position i + 1)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256


def leaf_hash(leaf: bytes) -> bytes:
    return _sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


class TreeBuilder:
    """MTH of leaves appended in order; `root()` at any moment is the MTH of the prefix so far."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self.size = 0

    def add(self, leaves: Iterable[bytes]) -> None:
        """Append leaves (not yet leaf-hashed): each merges the blocks its index completes."""
        stack, size, sha = self._stack, self.size, _sha256
        pop, push = stack.pop, stack.append
        for leaf in leaves:
            digest = sha(b"\x00" + leaf).digest()
            # The trailing one bits of the old size are the complete blocks this leaf closes.
            carry = size
            while carry & 1:
                digest = sha(b"\x01" + pop() + digest).digest()
                carry >>= 1
            push(digest)
            size += 1
        self.size = size

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1]
        for block in reversed(self._stack[:-1]):
            digest = node_hash(block, digest)
        return digest


def tree_root(leaves: Iterable[bytes]) -> bytes:
    builder = TreeBuilder()
    builder.add(leaves)
    return builder.root()


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose roots make PATH(index, D[size]) of RFC 9162 §2.1.3.1, leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The subtrees whose roots make PROOF(first, D[second]) of RFC 9162 §2.1.4.1."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    ranges: list[Range] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def proof_from_leaves(leaves: Sequence[bytes], ranges: Sequence[Range]) -> list[bytes]:
    """A proof from leaves held in memory (small trees, bundles in tests)."""
    return [tree_root(leaves[start:end]) for start, end in ranges]


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `path` lead from `leaf` at `index` to `root` of a tree of `size`?"""
    if not 0 <= index < size:
        return False
    fn, sn, digest = index, size - 1, leaf_hash(leaf)
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            digest = node_hash(digest, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and digest == root


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """RFC 9162 §2.1.4.2: does the tree of `second` leaves extend the tree of `first`?"""
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is itself a subtree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first_digest = second_digest = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first_digest = node_hash(node, first_digest)
            second_digest = node_hash(node, second_digest)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            second_digest = node_hash(second_digest, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and first_digest == first_root and second_digest == second_root


class RangeRoots:
    """The roots of a few disjoint ranges and of chosen prefixes, from one pass over the leaves.

    Leaves arrive in pages in index order, as a database or a file yields them; each range keeps
    its own builder, so memory stays O(log n) per range and O(log^2 n) for a whole proof.
    """

    def __init__(self, ranges: Sequence[Range], prefixes: Iterable[int] = ()) -> None:
        self._builders = {span: TreeBuilder() for span in ranges}
        self._whole = TreeBuilder()
        self._prefix_sizes = sorted(set(prefixes))
        self.prefix_roots: dict[int, bytes] = {0: EMPTY_ROOT} if 0 in self._prefix_sizes else {}

    @property
    def size(self) -> int:
        return self._whole.size

    def add(self, leaves: Sequence[bytes]) -> None:
        """The next leaves in order (index `self.size` onwards)."""
        first, last = self._whole.size, self._whole.size + len(leaves)
        for (start, end), builder in self._builders.items():
            if start < last and end > first:
                builder.add(leaves[max(start, first) - first : min(end, last) - first])
        cut = first
        for prefix in self._prefix_sizes:
            if first < prefix <= last:
                self._whole.add(leaves[cut - first : prefix - first])
                self.prefix_roots[prefix] = self._whole.root()
                cut = prefix
        self._whole.add(leaves[cut - first :])

    def root(self) -> bytes:
        return self._whole.root()

    def proof(self, ranges: Sequence[Range]) -> list[bytes]:
        """The roots of `ranges` (each one given at construction), once every leaf has passed."""
        missing = [span for span in ranges if self._builders[span].size != span[1] - span[0]]
        if missing:
            raise ValueError(f"ranges not yet complete: {missing}")
        return [self._builders[span].root() for span in ranges]
