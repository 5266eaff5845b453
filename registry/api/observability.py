"""The /metrics route, and the counts of commands, events and lag it serves.

Requests are counted by `request_metrics.py`, recorded where they are logged (`edge.py`).
"""

from __future__ import annotations

import structlog
from litestar import Response, get
from litestar.di import NamedDependency
from prometheus_client import REGISTRY, Counter, Gauge, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from projections.lag import projection_lag
from registry.api.documentation import PublicOperation
from registry.services import Services

log = structlog.get_logger("kerjasama.http")

COMMANDS = Counter(
    "kerjasama_commands_total", "Commands that appended events, by command", ["command"]
)
EVENTS_APPENDED = Counter("kerjasama_events_appended_total", "Events appended by commands")
LAG_EVENTS = Gauge(
    "kerjasama_projection_lag_events", "Events a projection trails the log by", ["projection"]
)
LAG_SECONDS = Gauge(
    "kerjasama_projection_lag_seconds", "Age of the oldest unapplied event", ["projection"]
)
HEAD = Gauge("kerjasama_log_head_position", "Position of the newest event in the log")


# Litestar adds the charset itself; the Prometheus text format is version 1.0.0.
PROMETHEUS_TEXT = "text/plain; version=1.0.0"


@get(
    "/metrics",
    tags=["operations"],
    summary="Prometheus metrics",
    media_type=PROMETHEUS_TEXT,
    operation_class=PublicOperation,
)
async def metrics(services: NamedDependency[Services]) -> Response[bytes]:
    try:
        for lag in await projection_lag(services.engine):
            LAG_EVENTS.labels(lag.name).set(lag.events)
            LAG_SECONDS.labels(lag.name).set(lag.seconds)
            HEAD.set(lag.head_position)
    except (SQLAlchemyError, OSError) as error:
        # Metrics must still answer while the database is away; the gauges keep their last value.
        log.warning("metrics_lag_unavailable", error=type(error).__name__)
    return Response(generate_latest(REGISTRY), media_type=PROMETHEUS_TEXT)
