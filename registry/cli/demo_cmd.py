"""`kerjasama demo`: loads DOMAIN.md's demo through the command path the API uses."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from registry.database import migrate
from registry.demo import load_demo
from registry.services import build_services
from registry.settings import Settings


async def _load(settings: Settings) -> int:
    await migrate(settings)
    # The projector runs here so that the read models show the demo when this returns.
    services = build_services(replace(settings, projector_in_process=True))
    await services.start()
    try:
        ran = await load_demo(services.store, services.reference, services.ruleset)
        await services.all_caught_up(await services.store.head_position())
    finally:
        await services.close()
    return ran


def run(settings: Settings) -> int:
    ran = asyncio.run(_load(settings))
    if ran == 0:
        print("the demo data is already loaded")
    else:
        print(
            f"loaded the demo: {ran} commands (sister cities, city-to-city, a third party, "
            "a sovereignty failure, a sustainability review, a withdrawal)"
        )
    return 0
