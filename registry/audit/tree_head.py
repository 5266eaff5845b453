"""Signed tree heads: the registry's signature on (size, root hash, time) of its Merkle tree."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.audit.keys import ALGORITHM, key_id

# A domain tag keeps a tree-head signature from ever being valid as a signature of anything
# else made with the same key, and names the layout so a future one can be told apart.
_DOMAIN_TAG = b"kerjasama/tree-head/v1\x00"


class SignedTreeHead(msgspec.Struct, frozen=True, kw_only=True):
    """What the signature covers is `signed_bytes(tree_size, timestamp, root_hash)`, nothing more.

    `timestamp` is milliseconds since the Unix epoch (as in RFC 9162); `signed_at` spells the
    same moment in RFC 3339 for people and is not itself signed.
    """

    tree_size: int
    root_hash: str
    timestamp: int
    signed_at: str
    algorithm: str
    key_id: str
    signature: str


def signed_bytes(tree_size: int, timestamp: int, root_hash: bytes) -> bytes:
    """Fixed-width fields after the tag: one byte string per head, however it is spelled."""
    return _DOMAIN_TAG + tree_size.to_bytes(8, "big") + timestamp.to_bytes(8, "big") + root_hash


def sign_tree_head(
    key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, moment: datetime
) -> SignedTreeHead:
    timestamp = int(moment.timestamp() * 1000)
    signature = key.sign(signed_bytes(tree_size, timestamp, root_hash))
    return SignedTreeHead(
        tree_size=tree_size,
        root_hash=root_hash.hex(),
        timestamp=timestamp,
        signed_at=datetime.fromtimestamp(timestamp / 1000, UTC).isoformat().replace("+00:00", "Z"),
        algorithm=ALGORITHM,
        key_id=key_id(key.public_key()),
        signature=base64.b64encode(signature).decode(),
    )


def signature_problem(head: SignedTreeHead, key: Ed25519PublicKey) -> str | None:
    """Why `head` is not a valid signature of `key`, or None when it is."""
    if head.algorithm != ALGORITHM:
        return f"the tree head is signed with {head.algorithm}, not {ALGORITHM}"
    if head.key_id != key_id(key):
        return f"the tree head names key {head.key_id}, not the trusted key {key_id(key)}"
    try:
        root = bytes.fromhex(head.root_hash)
        signature = base64.b64decode(head.signature, validate=True)
        key.verify(signature, signed_bytes(head.tree_size, head.timestamp, root))
    except (ValueError, binascii.Error, OverflowError, InvalidSignature):
        return f"the signature on the tree head of size {head.tree_size} does not verify"
    return None
