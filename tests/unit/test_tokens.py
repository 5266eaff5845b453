"""Tokens are random, recognisable, and stored only as a hash."""

from __future__ import annotations

from registry.tokens import hash_token, issue_token, looks_like_token


def test_a_token_is_stored_as_its_hash_only() -> None:
    token = issue_token()
    assert token.hash == hash_token(token.secret)
    assert token.secret not in token.hash
    assert len(token.hash) == 64


def test_tokens_are_unique_and_recognisable() -> None:
    tokens = {issue_token().secret for _ in range(100)}
    assert len(tokens) == 100
    assert all(looks_like_token(secret) for secret in tokens)
    assert not looks_like_token("Bearer something")
