"""`kerjasama audit tree-head|bundle|check`: signed tree heads, bundles, and the offline check."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import msgspec

from registry.audit.bundle import write_bundle
from registry.audit.check import BundleBroken, check_bundle, earlier_tree_head, first_difference
from registry.audit.errors import LogBroken, TreeSizeUnavailable
from registry.audit.keys import KeyUnusable, load_public_key
from registry.audit.proofs import AuditTrail
from registry.services import build_services
from registry.settings import Settings


def add_parsers(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    head = actions.add_parser("tree-head", help="print a signed tree head of the log as JSON")
    head.add_argument("--size", type=_count, help="the tree size (default: the whole log)")
    bundle = actions.add_parser(
        "bundle", help="write the log and a signed tree head to PATH for `audit check`"
    )
    bundle.add_argument("path", type=Path, metavar="PATH")
    bundle.add_argument("--size", type=_count, help="the first SIZE events (default: all)")
    check = actions.add_parser(
        "check",
        help="prove a bundle offline (no database, no server); exit 0 only when it holds",
    )
    check.add_argument("bundle", type=Path, metavar="BUNDLE")
    check.add_argument(
        "--earlier",
        type=Path,
        metavar="FILE",
        help="an earlier bundle or tree head (JSON) that this bundle must extend",
    )
    check.add_argument(
        "--public-key",
        type=Path,
        metavar="PEM",
        help="the registry's public key, obtained beforehand (default: trust the bundle's)",
    )


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


async def run_online(settings: Settings, arguments: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        if arguments.action == "tree-head":
            trail = AuditTrail(services.engine, services.store, settings.signing_key_file)
            head = await trail.tree_head(arguments.size)
            print(msgspec.json.format(msgspec.json.encode(head)).decode())
            return 0
        path: Path = arguments.path
        draft = path.with_name(f".{path.name}.partial")
        with draft.open("wb") as out:
            signed = await write_bundle(
                services.store, settings.signing_key_file, out, arguments.size
            )
        os.replace(draft, path)
    except (TreeSizeUnavailable, LogBroken) as error:
        print(f"kerjasama audit: {error}", file=sys.stderr)
        return 1
    finally:
        await services.close()
    print(f"wrote {path}: {signed.tree_size:,} events, root {signed.root_hash}")
    return 0


def run_check(arguments: argparse.Namespace) -> int:
    try:
        pinned: Path | None = arguments.public_key
        trusted = load_public_key(pinned.read_bytes()) if pinned else None
        earlier = earlier_tree_head(arguments.earlier, trusted) if arguments.earlier else None
        checked = check_bundle(arguments.bundle, trusted, earlier)
    except (OSError, ValueError, KeyUnusable) as error:
        print(f"NOT OK: {error}")
        return 1
    except BundleBroken as broken:
        print(f"NOT OK: {_located(broken, arguments)}")
        return 1
    head = checked.tree_head
    print(
        f"ok: {head.tree_size:,} events, chain head {checked.chain_head}, "
        f"Merkle root {head.root_hash}, signed at {head.signed_at} by key {checked.key_id}"
        + ("" if checked.key_pinned else " (the bundle's own key: pin it with --public-key)")
    )
    if checked.extends is not None:
        print(f"ok: extends the earlier tree head of {checked.extends:,} events")
    return 0


def _located(broken: BundleBroken, arguments: argparse.Namespace) -> str:
    if broken.position is not None or arguments.earlier is None:
        return str(broken)
    differs = first_difference(arguments.earlier, arguments.bundle)
    return str(broken) if differs is None else f"{broken}; the logs differ from position {differs}"
