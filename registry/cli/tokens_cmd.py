"""`kerjasama token create|revoke|list`: API tokens, shown once and stored as hashes."""

from __future__ import annotations

import argparse
import asyncio
import sys

from registry.database import migrate, open_engine
from registry.facts import Role
from registry.reference import load_reference
from registry.settings import Settings
from registry.token_store import TokenRefused, TokenStore


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="create, revoke and list API tokens")
    actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="make a token and print it once, on its own line (only its hash is kept)",
        description="Officials need --region (the Kemendagri code of their kota or kabupaten); "
        "a reviewer may carry one (it is never shown proposals of its own region to review).",
    )
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--region", help="Kemendagri region code, e.g. 36.71 for Kota Tangerang")
    create.add_argument("--name", required=True, help="who holds the token, e.g. 'BKS Tangerang'")
    revoke = actions.add_parser("revoke", help="revoke a token by its id (see `token list`)")
    revoke.add_argument("token_id")
    actions.add_parser("list", help="list tokens (ids, names, roles; never the tokens)")


async def _store_action(settings: Settings, arguments: argparse.Namespace) -> int:
    await migrate(settings)
    engine = open_engine(settings)
    store = TokenStore(engine, load_reference())
    try:
        if arguments.action == "create":
            token = await store.create(
                role=Role(arguments.role), region=arguments.region, name=arguments.name
            )
            print(
                f"token id {token.token_id} for {arguments.name} ({arguments.role})",
                file=sys.stderr,
            )
            print("keep the token below; it is not shown again:", file=sys.stderr)
            print(token.secret)
            return 0
        if arguments.action == "revoke":
            revoked = await store.revoke(arguments.token_id)
            print("revoked" if revoked else f"no active token with id {arguments.token_id}")
            return 0 if revoked else 1
        for record in await store.list():
            state = "revoked" if record.revoked_at else "active"
            print(
                f"{record.token_id}  {record.role:<8} {record.region or '-':<6} {state:<8} "
                f"{record.name}"
            )
        return 0
    finally:
        await engine.dispose()


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    try:
        return asyncio.run(_store_action(settings, arguments))
    except TokenRefused as refused:
        print(f"kerjasama token: {refused}", file=sys.stderr)
        return 2
