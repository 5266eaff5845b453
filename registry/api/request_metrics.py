"""Requests by route template, method and status, as Prometheus counts and latencies.

The families, names and labels of Litestar's Prometheus middleware, which this replaces: that
middleware was a layer of its own, built a `Request`, two label dicts and a wrapped `send`, and
looked each labelled child up under a lock on every request. Here the request edge (and the
fast read, which answers before Litestar) records a finished request with one dict look-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

APP_NAME = "kerjasama"
# Label order as Litestar's middleware declared them, so the series read exactly as before.
LABELS = ("method", "path", "status_code", "app_name")
# Litestar labelled the in-progress gauge with the status it did not know yet, always 200;
# kept so that queries written against the old series still match.
IN_PROGRESS_STATUS = 200
SERVER_ERROR = 500
# Scrapes are not requests worth counting (as with Litestar's `exclude`).
UNCOUNTED_TEMPLATES = frozenset({"/metrics"})

REQUESTS = Counter("kerjasama_requests_total", "Total requests", LABELS)
DURATION = Histogram("kerjasama_request_duration_seconds", "Request duration, in seconds", LABELS)
ERRORS = Counter("kerjasama_requests_error_total", "Total errors in requests", LABELS)
IN_PROGRESS = Gauge(
    "kerjasama_requests_in_progress",
    "Total requests currently in progress",
    LABELS,
    multiprocess_mode="livesum",
)


@dataclass(frozen=True, slots=True)
class _Finished:
    """The labelled children one (method, template, status) records into."""

    count: Counter
    duration: Histogram
    errors: Counter | None


_running: dict[tuple[str, str], Gauge] = {}
_finished: dict[tuple[str, str, int], _Finished] = {}


def request_started(method: str, template: str) -> None:
    if template in UNCOUNTED_TEMPLATES:
        return
    gauge = _running.get((method, template))
    if gauge is None:
        gauge = IN_PROGRESS.labels(method, template, IN_PROGRESS_STATUS, APP_NAME)
        _running[(method, template)] = gauge
    gauge.inc()


def request_passed_on(method: str, template: str) -> None:
    """A request started here is answered by another layer, which counts it itself."""
    if template not in UNCOUNTED_TEMPLATES:
        _running[(method, template)].dec()


def request_finished(method: str, template: str, status: int, seconds: float) -> None:
    if template in UNCOUNTED_TEMPLATES:
        return
    _running[(method, template)].dec()
    children = _finished.get((method, template, status))
    if children is None:
        labels = (method, template, status, APP_NAME)
        children = _Finished(
            REQUESTS.labels(*labels),
            DURATION.labels(*labels),
            ERRORS.labels(*labels) if status >= SERVER_ERROR else None,
        )
        _finished[(method, template, status)] = children
    children.count.inc()
    children.duration.observe(seconds)
    if children.errors is not None:
        children.errors.inc()
