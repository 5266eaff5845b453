"""`kerjasama serve`: migrate, then serve the API, with the projector in or beside it."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys

from registry.database import migrate
from registry.settings import DEFAULT_DATABASE_CONNECTIONS, MIN_DATABASE_CONNECTIONS, Settings

APP_FACTORY = "registry.api.asgi:create_from_env"
# The connections `serve --workers N` shares among its API processes when
# KERJASAMA_DATABASE_CONNECTIONS does not say: PostgreSQL's default max_connections is 100, and
# the rest is for the projector (a few), migrations and an administrator's session. Without a
# share, two workers could open 120 under a burst, and PostgreSQL refused the rest with "too many
# clients" (a 503 to every request that met it).
SERVE_CONNECTION_BUDGET = 80
SERVERS = ("uvicorn", "granian")
DEFAULT_SERVER = "granian"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve",
        help="migrate if needed, then serve the HTTP API (and run the projector)",
        description="With --workers 1 the projector runs inside the API process; with more, "
        "the API processes share the database and one `kerjasama projector` process runs "
        "beside them.",
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="API processes (default 1)")
    serve.add_argument(
        "--server",
        choices=SERVERS,
        default=DEFAULT_SERVER,
        help=f"the ASGI server (default {DEFAULT_SERVER}, the faster in bench/http.py)",
    )


def banner(settings: Settings, host: str, port: int) -> str:
    return (
        f"kerjasama serves on http://{host}:{port} (database: {settings.database_url})\n"
        f"  console:    http://{host}:{port}/console  (sign in with a token)\n"
        f"  API docs:   http://{host}:{port}/schema  (OpenAPI: /schema/openapi.json)\n"
        "  a token:    kerjasama token create --role official --region 36.71 --name 'BKS'\n"
        "  demo data:  kerjasama demo"
    )


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    asyncio.run(migrate(settings))
    host, port = arguments.host or settings.host, arguments.port or settings.port
    print(banner(settings, host, port), flush=True)
    # Every worker must sign the console's CSRF tokens alike: they inherit one secret.
    os.environ.setdefault("KERJASAMA_CONSOLE_SECRET", settings.console_secret)
    projector = None
    if arguments.workers > 1:
        # Worker processes read their settings from the environment they inherit; one
        # projector process runs beside them instead of one in each.
        os.environ["KERJASAMA_PROJECTOR"] = "external"
        os.environ.setdefault(
            "KERJASAMA_DATABASE_CONNECTIONS", str(connections_per_worker(arguments.workers))
        )
        projector = subprocess.Popen([sys.executable, "-m", "registry.cli", "projector"])
    try:
        serve_app(arguments.server, host, port, arguments.workers, settings.header_timeout_seconds)
    finally:
        if projector is not None:
            projector.terminate()
            projector.wait(timeout=10)
    return 0


def connections_per_worker(workers: int) -> int:
    """Each API process's share of `SERVE_CONNECTION_BUDGET`, never more than one alone has."""
    return max(
        MIN_DATABASE_CONNECTIONS,
        min(DEFAULT_DATABASE_CONNECTIONS, SERVE_CONNECTION_BUDGET // workers),
    )


def serve_app(
    server: str, host: str, port: int, workers: int, header_timeout_seconds: float
) -> None:
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces
        from granian.http import HTTP1Settings

        Granian(
            APP_FACTORY,
            factory=True,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            log_enabled=False,
            # A client that dribbles its request head is cut off (slowloris); the body has
            # its own deadline in the app (registry/api/body_deadline.py).
            http1_settings=HTTP1Settings(header_read_timeout=round(header_timeout_seconds * 1000)),
        ).serve()
        return
    import uvicorn

    uvicorn.run(
        APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning"
    )
