"""API tokens: made from a CSPRNG, shown once, kept only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "ksj_"
_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: `secret` is printed once and never stored."""

    token_id: str
    secret: str
    hash: str


def issue_token() -> IssuedToken:
    # 256 random bits make brute force hopeless, so a fast unsalted hash is enough and lets the
    # hash itself be the lookup key; slow password hashes exist for low-entropy secrets.
    secret = TOKEN_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    return IssuedToken(token_id=secrets.token_hex(8), secret=secret, hash=hash_token(secret))


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and 20 < len(value) < 200
