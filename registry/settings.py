"""Settings from the environment: one place that knows the variable names and their defaults."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

from events.driver import HOT_READ_CONNECTIONS
from events.engine import POOL_SIZE
from projections.page_cache import DEFAULT_PAGES

RateUnit = Literal["second", "minute", "hour", "day"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/kerjasama.db"
DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
DEFAULT_SIGNING_KEY_FILE = "./data/signing-key.pem"
DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
DEFAULT_BODY_TIMEOUT_SECONDS = 30.0
DEFAULT_TOKEN_CACHE_SECONDS = 5.0
# An API process's PostgreSQL connections: its SQLAlchemy pool and, a third of them, the hot
# reads' own asyncpg pool; by default what a single process has always had.
DEFAULT_DATABASE_CONNECTIONS = POOL_SIZE + HOT_READ_CONNECTIONS
MIN_DATABASE_CONNECTIONS = 3
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_OFF = {"off", "none", "0", ""}


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `requests` per token (per client address without one) in each `unit` window."""

    requests: int
    unit: RateUnit

    def __str__(self) -> str:
        return f"{self.requests}/{self.unit}"


def parse_rate_limit(text: str) -> RateLimit | None:
    """`200/second`, `6000/minute`, ...; `off` turns the limit off."""
    if text.strip().lower() in _OFF:
        return None
    match = _RATE.match(text.lower())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(
            f"KERJASAMA_RATE_LIMIT must be like 200/second (second, minute, hour, day) "
            f"or off, not {text!r}"
        )
    return RateLimit(int(match.group(1)), cast(RateUnit, match.group(2)))


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, str(default))
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from None


# Enough for people and their scripts, and for any test; a benchmark that drives one token
# flat out sets KERJASAMA_RATE_LIMIT=off.
DEFAULT_RATE_LIMIT = RateLimit(200, "second")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES
    host: str = "127.0.0.1"
    port: int = 8000
    # Whether this API process runs the projector itself (one process) or leaves it to
    # `kerjasama projector` (several API processes on one database).
    projector_in_process: bool = True
    read_your_writes_seconds: float = 5.0
    ready_max_lag_events: int = 1000
    # The Ed25519 key that signs tree heads; made there (mode 0600) on first use if absent.
    signing_key_file: str = DEFAULT_SIGNING_KEY_FILE
    # Per token and API process; None turns it off (benchmarks that drive one token flat out).
    rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT
    # Slow clients: the request head must arrive within this (granian only; uvicorn has no such
    # limit), and the whole body within `body_timeout_seconds` of the first read.
    header_timeout_seconds: float = DEFAULT_HEADER_TIMEOUT_SECONDS
    body_timeout_seconds: float = DEFAULT_BODY_TIMEOUT_SECONDS
    # How long a process trusts what it learnt about a token: a revocation made elsewhere takes
    # effect within this; 0 asks the database on every request.
    token_cache_seconds: float = DEFAULT_TOKEN_CACHE_SECONDS
    # Signs the console's CSRF tokens; every API process behind one address needs the same.
    console_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    # The most connections this process opens to PostgreSQL (`kerjasama serve --workers N`
    # shares a budget among its processes).
    database_connections: int = DEFAULT_DATABASE_CONNECTIONS
    # Pages of the proposal list kept while the read model stands still (`page_cache.py`);
    # 0 keeps none and queries every page.
    list_cache_pages: int = DEFAULT_PAGES

    def __post_init__(self) -> None:
        if self.database_connections < MIN_DATABASE_CONNECTIONS:
            raise ValueError(
                f"KERJASAMA_DATABASE_CONNECTIONS must be at least {MIN_DATABASE_CONNECTIONS}, "
                f"not {self.database_connections}"
            )

    @property
    def hot_read_connections(self) -> int:
        """The hot reads' asyncpg pool: a third of the process's connections."""
        return self.database_connections // 3

    @property
    def pooled_connections(self) -> int:
        """SQLAlchemy's pool: the rest."""
        return self.database_connections - self.hot_read_connections

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("KERJASAMA_DATABASE_URL", DEFAULT_DATABASE_URL),
            max_payload_bytes=int(
                env.get("KERJASAMA_MAX_PAYLOAD_BYTES", str(DEFAULT_MAX_PAYLOAD_BYTES))
            ),
            host=env.get("KERJASAMA_HOST", "127.0.0.1"),
            port=int(env.get("KERJASAMA_PORT", "8000")),
            projector_in_process=env.get("KERJASAMA_PROJECTOR", "in-process") == "in-process",
            ready_max_lag_events=int(env.get("KERJASAMA_READY_MAX_LAG", "1000")),
            signing_key_file=env.get("KERJASAMA_SIGNING_KEY_FILE", DEFAULT_SIGNING_KEY_FILE),
            rate_limit=parse_rate_limit(env.get("KERJASAMA_RATE_LIMIT", str(DEFAULT_RATE_LIMIT))),
            header_timeout_seconds=float(
                env.get("KERJASAMA_HEADER_TIMEOUT", str(DEFAULT_HEADER_TIMEOUT_SECONDS))
            ),
            body_timeout_seconds=float(
                env.get("KERJASAMA_BODY_TIMEOUT", str(DEFAULT_BODY_TIMEOUT_SECONDS))
            ),
            token_cache_seconds=float(
                env.get("KERJASAMA_TOKEN_CACHE_SECONDS", str(DEFAULT_TOKEN_CACHE_SECONDS))
            ),
            console_secret=env.get("KERJASAMA_CONSOLE_SECRET") or secrets.token_hex(32),
            database_connections=_whole_number(
                env, "KERJASAMA_DATABASE_CONNECTIONS", DEFAULT_DATABASE_CONNECTIONS
            ),
            list_cache_pages=_whole_number(env, "KERJASAMA_LIST_CACHE_PAGES", DEFAULT_PAGES),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
