"""`kerjasama audit verify|replay|...` and `kerjasama export`: what auditors run themselves."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import replace

import msgspec

from projections.rebuild import rebuild
from registry.api.schemas import event_item
from registry.audit.cloud import cloud_event_line
from registry.cli import proofs_cmd
from registry.database import migrate
from registry.services import build_services
from registry.settings import Settings


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit", help="verify the chain, replay the read models, sign, bundle and check proofs"
    )
    actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("verify", help="recompute the hash chain; exit 0 only when it is intact")
    actions.add_parser(
        "replay", help="rebuild the read models beside the live ones; exit 0 only when equal"
    )
    proofs_cmd.add_parsers(actions)
    export = commands.add_parser(
        "export", help="write the event log to stdout as JSON lines or CloudEvents"
    )
    export.add_argument("--after", type=int, default=0, help="start after this position")
    export.add_argument(
        "--format",
        choices=["jsonl", "cloudevents"],
        default="jsonl",
        help="jsonl: the /v1/events items; cloudevents: CloudEvents 1.0 structured JSON",
    )


def offline(settings: Settings) -> Settings:
    """A command-line run reads the log; it must not start a projector of its own."""
    return replace(settings, projector_in_process=False)


async def _verify(settings: Settings) -> int:
    services = build_services(offline(settings))
    try:
        result = await services.store.verify()
    finally:
        await services.close()
    if result.ok:
        print(
            f"ok: {result.events_checked:,} events, head {result.head_position} "
            f"{result.head_hash.hex()}"
        )
        return 0
    print(
        f"NOT OK: the chain breaks at position {result.first_bad_position} "
        f"({result.events_checked:,} events checked before it)"
    )
    return 1


async def _replay(settings: Settings) -> int:
    services = build_services(offline(settings))
    try:
        report = await rebuild(services.engine, swap=False, check=True)
    finally:
        await services.close()
    print(f"{'ok' if report.ok else 'NOT OK'}: replayed {report.events_replayed:,} events")
    for difference in report.differences:
        print(f"  {difference.table} {difference.key}: {difference.issue}")
    return 0 if report.ok else 1


async def _export(settings: Settings, after: int, form: str) -> int:
    services = build_services(offline(settings))
    encoder = msgspec.json.Encoder()
    out = sys.stdout.buffer
    try:
        if form == "cloudevents":
            async for page in services.store.read_rows(after_position=after):
                out.writelines(cloud_event_line(row) for row in page)
        else:
            async for recorded in services.store.read_all(after_position=after):
                out.write(encoder.encode(event_item(recorded, with_stream=True)) + b"\n")
    finally:
        await services.close()
    out.flush()
    return 0


def run_audit(settings: Settings, arguments: argparse.Namespace) -> int:
    if arguments.action == "check":  # offline: no database is opened, let alone migrated
        return proofs_cmd.run_check(arguments)
    asyncio.run(migrate(settings))
    if arguments.action == "verify":
        return asyncio.run(_verify(settings))
    if arguments.action == "replay":
        return asyncio.run(_replay(settings))
    return asyncio.run(proofs_cmd.run_online(offline(settings), arguments))


def run_export(settings: Settings, arguments: argparse.Namespace) -> int:
    asyncio.run(migrate(settings))
    try:
        return asyncio.run(_export(settings, arguments.after, arguments.format))
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error; keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
