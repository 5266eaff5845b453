"""The `kerjasama` command line: one parser, one module per group of commands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from registry.cli import audit_cmd, demo_cmd, projections_cmd, serve_cmd, tokens_cmd
from registry.database import migrate
from registry.logs import configure_logging
from registry.settings import Settings

DESCRIPTION = """kerjasama: the registry of cooperation between Indonesian regions and partners.
The database is KERJASAMA_DATABASE_URL (default: an SQLite file under ./data).
Start with `kerjasama serve`, then `kerjasama token create` in another terminal."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kerjasama", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_cmd.add_parser(commands)
    commands.add_parser("migrate", help="apply the database migrations (safe to repeat)")
    tokens_cmd.add_parser(commands)
    commands.add_parser(
        "projector",
        help="run the projector alone until SIGINT or SIGTERM (for several API processes)",
    )
    projections = commands.add_parser("projections", help="maintain the read models")
    actions = projections.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "rebuild",
        help="rebuild every read model from the event log beside the live one, then swap it in",
    )
    lag = actions.add_parser(
        "lag", help="how far each projection trails the log; exit 1 beyond --max-events"
    )
    lag.add_argument("--max-events", type=int, default=1000, help="healthy up to this (1000)")
    audit_cmd.add_parsers(commands)
    commands.add_parser("demo", help="load a realistic demo data set through the command path")
    return parser


def run_migrate(settings: Settings) -> int:
    asyncio.run(migrate(settings))
    print(f"database is up to date: {settings.database_url}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    configure_logging(json=arguments.command in {"serve", "projector"})
    settings = Settings.from_env()
    match arguments.command:
        case "migrate":
            return run_migrate(settings)
        case "serve":
            return serve_cmd.run(settings, arguments)
        case "token":
            return tokens_cmd.run(settings, arguments)
        case "projector":
            return projections_cmd.run_projector(settings)
        case "projections" if arguments.action == "lag":
            return projections_cmd.run_lag(settings, arguments.max_events)
        case "projections":
            return projections_cmd.run_rebuild(settings)
        case "audit":
            return audit_cmd.run_audit(settings, arguments)
        case "export":
            return audit_cmd.run_export(settings, arguments)
        case _:
            return demo_cmd.run(settings)
