"""Stores API tokens as hashes and answers which principal a presented token stands for."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from registry.access import Principal
from registry.facts import Role
from registry.reference import Reference
from registry.schema import api_tokens
from registry.tokens import IssuedToken, hash_token, issue_token, looks_like_token

# A revoked token keeps working at most this long in other processes; this one forgets at once.
# Without the cache every request would pay a database round trip just to learn who it is.
CACHE_SECONDS = 5.0


class TokenRefused(ValueError):
    """A token cannot be made as asked (role and region do not fit)."""


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_id: str
    name: str
    role: Role
    region: str | None
    created_at: datetime
    revoked_at: datetime | None


def check_binding(role: Role, region: str | None, reference: Reference) -> None:
    if role is Role.OFFICIAL and region is None:
        raise TokenRefused("an official's token must be bound to a region (--region CODE)")
    if role in (Role.AUDITOR, Role.ADMIN) and region is not None:
        raise TokenRefused(f"an {role} token is not bound to a region")
    if region is not None and region not in reference.regions:
        raise TokenRefused(f"{region} is not a Kemendagri region code")


class TokenStore:
    def __init__(
        self, engine: AsyncEngine, reference: Reference, *, cache_seconds: float = CACHE_SECONDS
    ) -> None:
        self._engine = engine
        self._reference = reference
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    async def create(self, *, role: Role, region: str | None, name: str) -> IssuedToken:
        check_binding(role, region, self._reference)
        token = issue_token()
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(api_tokens).values(
                    token_id=token.token_id,
                    name=name,
                    role=role.value,
                    region=region,
                    token_hash=token.hash,
                    created_at=datetime.now(UTC),
                )
            )
        return token

    async def revoke(self, token_id: str) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(api_tokens)
                .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        self._cache.clear()
        return result.rowcount > 0

    async def list(self) -> list[TokenRecord]:
        query = select(
            api_tokens.c.token_id,
            api_tokens.c.name,
            api_tokens.c.role,
            api_tokens.c.region,
            api_tokens.c.created_at,
            api_tokens.c.revoked_at,
        ).order_by(api_tokens.c.created_at)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [TokenRecord(r[0], r[1], Role(r[2]), r[3], r[4], r[5]) for r in rows]

    async def principal_for(self, secret: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None for anything else."""
        if not looks_like_token(secret):
            return None
        digest = hash_token(secret)
        cached = self._fresh(digest)
        if cached is not None:
            return cached[1]
        principal = await self._look_up(digest)
        self._cache[digest] = (time.monotonic() + self._cache_seconds, principal)
        return principal

    def cached_principal(self, secret: str) -> Principal | None:
        """The principal of a token this process knows to be valid right now, asking nobody.

        None when the cache does not vouch for it (never seen, expired, or known to be bad):
        the caller then takes the way that asks the database, as `principal_for` does.
        """
        cached = self._fresh(hash_token(secret)) if looks_like_token(secret) else None
        return None if cached is None else cached[1]

    def _fresh(self, digest: str) -> tuple[float, Principal | None] | None:
        """The cached answer for a token's digest, unless it is missing or past its time."""
        cached = self._cache.get(digest)
        return cached if cached is not None and cached[0] > time.monotonic() else None

    async def _look_up(self, digest: str) -> Principal | None:
        query = select(
            api_tokens.c.token_id, api_tokens.c.name, api_tokens.c.role, api_tokens.c.region
        ).where(api_tokens.c.token_hash == digest, api_tokens.c.revoked_at.is_(None))
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return Principal(token_id=row[0], name=row[1], role=Role(row[2]), region=row[3])
