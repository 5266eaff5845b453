"""An app on a fresh database of each backend, tokens for every role, and body builders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from registry.api.app import create_app
from registry.facts import Role
from registry.services import Services, build_services
from registry.settings import RateLimit, Settings
from tests.conftest import provide_database
from tests.databases import SqliteDatabases
from tests.unit.builders import BANDUNG, SURABAYA, TANGERANG, foreign, region, terms


@dataclass
class Api:
    client: httpx.AsyncClient
    services: Services
    tokens: dict[str, str]
    # The same app's Litestar alone, without the fast answers in front: the routes' own answers.
    routes: httpx.AsyncClient

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def submit(self, who: str = "official", body: dict[str, Any] | None = None) -> Any:
        response = await self.client.post(
            "/v1/proposals", json=body or draft(), headers=self.auth(who)
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def command(
        self, who: str, proposal: dict[str, Any], route: str, body: dict[str, Any]
    ) -> Any:
        return await self.client.post(
            f"/v1/proposals/{proposal['id']}/{route}",
            json=body,
            headers={**self.auth(who), "If-Match": f'"{proposal["version"]}"'},
        )


TOKENS = {
    "official": (Role.OFFICIAL, TANGERANG),
    "official_partner": (Role.OFFICIAL, SURABAYA),
    "official_elsewhere": (Role.OFFICIAL, BANDUNG),
    "reviewer": (Role.REVIEWER, BANDUNG),
    "reviewer_party": (Role.REVIEWER, SURABAYA),
    "auditor": (Role.AUDITOR, None),
    "admin": (Role.ADMIN, None),
}


def draft(initiator: str = TANGERANG, partner: str = SURABAYA, **changes: Any) -> dict[str, Any]:
    """A request body that passes every principle: Tangerang with Surabaya unless told."""
    body: dict[str, Any] = msgspec.to_builtins(terms([region(partner)], initiator=initiator))
    body.update(changes)
    return body


def sister_city_draft(**changes: Any) -> dict[str, Any]:
    """A KSDPL with Kitakyushu: needs DPRD, Kemendagri and Kemenlu approval before signing."""
    partner = foreign("Kota Kitakyushu", "JP")
    body: dict[str, Any] = msgspec.to_builtins(terms([partner]))
    body.update(changes)
    return body


def domestic_partner() -> dict[str, Any]:
    return dict(msgspec.to_builtins(region(SURABAYA)))


@asynccontextmanager
async def running_api(settings: Settings) -> AsyncIterator[Api]:
    """Services with their projector, a token per role, and a client of the app in process."""
    services = build_services(settings)
    await services.start()
    tokens = {
        who: (await services.tokens.create(role=role, region=code, name=who)).secret
        for who, (role, code) in TOKENS.items()
    }
    # httpx's ASGI transport runs the app on this test's event loop, beside the services' engine.
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # ASGI typing differs
    litestar = httpx.ASGITransport(app=app.litestar)  # type: ignore[arg-type]
    base_url = "http://kerjasama.test"
    try:
        async with (
            httpx.AsyncClient(transport=transport, base_url=base_url) as client,
            httpx.AsyncClient(transport=litestar, base_url=base_url) as routes,
        ):
            yield Api(client, services, tokens, routes)
    finally:
        await services.close()


def api_settings(database_url: str, tmp_path: Path, **changes: Any) -> Settings:
    """The settings of a test's app: its database, a signing key of its own, and `changes`."""
    key_file = str(tmp_path / "signing-key.pem")
    return Settings(database_url=database_url, signing_key_file=key_file, **changes)


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(api_settings(database_url, tmp_path)) as api:
        yield api


@pytest.fixture
async def postgres_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """An app on a fresh PostgreSQL database only: for what only PostgreSQL has."""
    database = provide_database(request, "postgres")
    try:
        async with running_api(api_settings(next(database), tmp_path)) as api:
            yield api
    finally:
        next(database, None)


@pytest.fixture
async def limited(
    request: pytest.FixtureRequest, sqlite_databases: SqliteDatabases, tmp_path: Path
) -> AsyncIterator[Api]:
    """An app whose tokens may each make `request.param` requests a minute."""
    rate_limit = RateLimit(request.param, "minute")
    async with running_api(
        api_settings(sqlite_databases.clone(), tmp_path, rate_limit=rate_limit)
    ) as api:
        yield api
