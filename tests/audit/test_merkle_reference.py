"""events.merkle against a deliberately naive RFC 9162 reference: the definitions, recursively."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.merkle import (
    EMPTY_ROOT,
    RangeRoots,
    consistency_ranges,
    inclusion_ranges,
    proof_from_leaves,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

# ---- the reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 transcribed, nothing clever ----


def ref_k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = ref_k(len(d))
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = ref_k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], whole: bool) -> list[bytes]:
    if m == len(d):
        return [] if whole else [ref_mth(d)]
    k = ref_k(len(d))
    if m <= k:
        return [*ref_subproof(m, d[:k], whole), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n)]


ALL = leaves(70)


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert tree_root([]) == EMPTY_ROOT == ref_mth([])


@pytest.mark.parametrize("n", range(1, 71))
def test_roots_match_the_reference_for_every_size_up_to_70(n: int) -> None:
    assert tree_root(ALL[:n]) == ref_mth(ALL[:n])


@pytest.mark.parametrize("n", range(1, 71))
def test_every_inclusion_proof_matches_the_reference_and_verifies(n: int) -> None:
    d, root = ALL[:n], ref_mth(ALL[:n])
    for m in range(n):
        proof = proof_from_leaves(d, inclusion_ranges(m, n))
        assert proof == ref_path(m, d)
        assert verify_inclusion(d[m], m, n, proof, root)
        # The same proof proves nothing for another leaf, index or root, nor when lengthened.
        assert not verify_inclusion(b"\x07" * 32, m, n, proof, root)
        assert not verify_inclusion(d[m], m, n, [*proof, root], root)
        assert not verify_inclusion(d[m], m, n, proof, ref_mth([*d, d[0]]))
        if n > 1:
            assert not verify_inclusion(d[m], (m + 1) % n, n, proof, root)


@pytest.mark.parametrize("n", range(1, 71))
def test_every_consistency_proof_matches_the_reference_and_verifies(n: int) -> None:
    d, second_root = ALL[:n], ref_mth(ALL[:n])
    for m in range(1, n + 1):
        proof = proof_from_leaves(d, consistency_ranges(m, n))
        assert proof == ref_subproof(m, d, True)
        first_root = ref_mth(d[:m])
        assert verify_consistency(m, n, proof, first_root, second_root)
        # A different earlier history, or a tampered node, does not verify.
        assert not verify_consistency(m, n, proof, ref_mth([b"x" * 32, *d[1:m]]), second_root)
        if proof:
            bent = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            assert not verify_consistency(m, n, bent, first_root, second_root)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=3000),
    data=st.data(),
)
def test_streamed_pages_give_the_reference_root_and_proofs(n: int, data: st.DataObject) -> None:
    d = leaves(n)
    m = data.draw(st.integers(min_value=1, max_value=n), label="first")
    index = data.draw(st.integers(min_value=0, max_value=n - 1), label="index")
    page = data.draw(st.integers(min_value=1, max_value=n), label="page")
    included, consistent = inclusion_ranges(index, n), consistency_ranges(m, n)
    streamed = RangeRoots([*included, *consistent], prefixes=[m])
    for start in range(0, n, page):
        streamed.add(d[start : start + page])
    assert streamed.root() == ref_mth(d)
    assert streamed.prefix_roots[m] == ref_mth(d[:m])
    assert streamed.proof(included) == ref_path(index, d)
    assert streamed.proof(consistent) == ref_subproof(m, d, True)
    assert verify_inclusion(d[index], index, n, streamed.proof(included), streamed.root())


def test_proofs_are_refused_for_impossible_sizes() -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_ranges(5, 5)
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_ranges(6, 5)
    assert not verify_inclusion(ALL[0], 3, 3, [], ref_mth(ALL[:3]))
    assert not verify_consistency(0, 3, [], EMPTY_ROOT, ref_mth(ALL[:3]))
    assert verify_consistency(4, 4, [], ref_mth(ALL[:4]), ref_mth(ALL[:4]))
