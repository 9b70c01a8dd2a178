"""JSON-line logs (structlog) carrying the request id bound per request (DESIGN §5)."""

from __future__ import annotations

import logging
import sys

import structlog

__all__ = ["configure_logging"]

_configured = False


def configure_logging(level: str = "INFO") -> None:
    """Configure structlog + stdlib logging once per process (idempotent)."""
    global _configured
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    if _configured:
        logging.getLogger().setLevel(numeric)
        return
    _configured = True
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        # Not cached: logging is off the hot path here, and an uncached logger follows later
        # reconfiguration (structlog.testing.capture_logs in tests).
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=numeric, stream=sys.stderr, format="%(message)s")
    # Chatty libraries: migration steps and every outgoing HTTP request are not news.
    for name in ("alembic", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
