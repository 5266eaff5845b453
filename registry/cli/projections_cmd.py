"""`kerjasama projector` and `kerjasama projections rebuild`: the read side's maintenance."""

from __future__ import annotations

import asyncio
import signal
import sys

import uvloop

from registry.database import migrate, open_engine
from registry.settings import Settings


async def _project_until_signalled(settings: Settings) -> None:
    from projections.projector import Projector

    await migrate(settings)
    engine = open_engine(settings)
    projector = Projector(engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await projector.start()
        print(f"projector running on {settings.database_url}; stop with Ctrl-C", flush=True)
        await stop.wait()
    finally:
        await projector.stop()
        await engine.dispose()


def run_projector(settings: Settings) -> int:
    # uvloop, as the API server runs on: on asyncio's own loop the projector took 0.27-0.29 ms
    # of CPU a submission under load, on uvloop 0.22.
    uvloop.run(_project_until_signalled(settings))
    print("projector stopped")
    return 0


async def _rebuild(settings: Settings) -> bool:
    from projections.rebuild import rebuild

    await migrate(settings)
    engine = open_engine(settings)
    try:
        # The swap replaces the live models whatever they hold: no comparison to wait for.
        report = await rebuild(engine, swap=True, check=False)
    finally:
        await engine.dispose()
    rate = report.events_replayed / report.seconds if report.seconds else 0.0
    print(
        f"rebuilt the read models from {report.events_replayed:,} events in "
        f"{report.seconds:.1f} s ({rate:,.0f} events/s); they now stand at position "
        f"{report.position:,}"
    )
    for difference in report.differences:
        print(
            f"  differed from the live model: {difference.table} {difference.key}: "
            f"{difference.issue}"
        )
    return report.swapped


def run_rebuild(settings: Settings) -> int:
    try:
        swapped = asyncio.run(_rebuild(settings))
    except Exception as error:  # any failure leaves the live models in place: say so, exit 1
        print(f"rebuild failed, the live read models are unchanged: {error}", file=sys.stderr)
        return 1
    return 0 if swapped else 1


async def _lag(settings: Settings, max_events: int) -> int:
    from projections.lag import projection_lag

    engine = open_engine(settings)
    try:
        lags = await projection_lag(engine)
    finally:
        await engine.dispose()
    for lag in lags:
        print(
            f"{lag.name:<14} at {lag.position:>10,} of {lag.head_position:,}: "
            f"{lag.events:,} events, {lag.seconds:.1f} s behind"
        )
    if not lags:
        print("no projection has started yet", file=sys.stderr)
        return 1
    return 0 if all(lag.events <= max_events for lag in lags) else 1


def run_lag(settings: Settings, max_events: int) -> int:
    return asyncio.run(_lag(settings, max_events))
