"""Settings from the environment: one place that knows the variable names and their defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/kerjasama.db"
DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
DEFAULT_SIGNING_KEY_FILE = "./data/signing-key.pem"


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
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
