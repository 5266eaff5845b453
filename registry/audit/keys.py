"""The registry's Ed25519 signing key: loaded from a file, made there on first use (mode 0600)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

ALGORITHM = "Ed25519"


class KeyUnusable(Exception):
    """The key file exists but holds no Ed25519 private key (a configuration error)."""


@functools.cache
def signing_key(path: str) -> Ed25519PrivateKey:
    """The key at `path`, made there if absent; cached per path for the life of the process."""
    file = Path(path)
    if not file.exists():
        _create(file)
    key = load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnusable(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def _create(file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    # Written aside at 0600, then linked into place: link() fails if the name exists, so two
    # processes starting at once never sign with different keys, and nobody reads half a file.
    draft = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(draft, file)
    finally:
        draft.unlink(missing_ok=True)


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, in hex: short enough to compare by eye."""
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    key = load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise KeyUnusable(f"not an Ed25519 public key but a {type(key).__name__}")
    return key
