"""structlog set-up: JSON lines on stderr for the server, readable lines for the command line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import msgspec
import structlog


def _json_line(event: dict[str, Any], default: Callable[[Any], Any]) -> str:
    """structlog's JSON rendering through msgspec: half the cost of `json.dumps` per line,
    which every request pays once. Values msgspec cannot encode go through structlog's own
    fallback (`default`), as they would with `json.dumps`."""
    return msgspec.json.encode(event, enc_hook=default).decode()


def configure_logging(*, json: bool, level: int = logging.INFO) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # stdout belongs to the commands' output (tokens, exports); logs never mix into it.
        # One write per line, newline included (`print` writes the line and its newline apart):
        # the workers of `kerjasama serve --workers N` share stderr, and a line written whole
        # (under the pipe's atomic size) never has another worker's line inside it. One
        # system call a line instead of two, too.
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
