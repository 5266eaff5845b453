"""The app for ASGI servers that import it (`kerjasama serve --workers N`), settings from env."""

from __future__ import annotations

from registry.api.app import create_app
from registry.api.fast_paths import FastPaths
from registry.logs import configure_logging
from registry.settings import Settings


def create_from_env() -> FastPaths:
    # Each worker process configures its own logging: spawned workers inherit none of it.
    configure_logging(json=True)
    return create_app(Settings.from_env())
