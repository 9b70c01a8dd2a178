"""ASGI middleware: the router's server span for each HTTP request.

It continues the client's W3C trace (`traceparent`/`tracestate`, Trace Context §3) and then
rewrites the request's `traceparent` header to name the router's own span, so everything
downstream — the transport's trace id in logs, the headers stage that forwards traceparent to
subgraphs — sees the router span as the parent. Probes (/health, /ready, /metrics) are not traced.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from router.observability.tracing import PROPAGATOR, Telemetry

__all__ = ["TracingMiddleware"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_UNTRACED_PATHS = frozenset({"/health", "/ready", "/metrics"})
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})


def _carrier(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in headers
        if name.lower() in _TRACE_HEADERS
    }


class TracingMiddleware:
    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self._app = app
        self._tracer = telemetry.tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = self._tracer
        if tracer is None or scope["type"] != "http" or scope.get("path") in _UNTRACED_PATHS:
            await self._app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or ())
        parent = PROPAGATOR.extract(_carrier(headers))
        method = scope.get("method", "GET")
        path = scope.get("path", "")
        span = tracer.start_span(
            f"{method} {path}",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "url.path": path,
                "url.scheme": scope.get("scheme", "http"),
            },
        )
        span_context = trace.set_span_in_context(span, parent)
        outgoing: dict[str, str] = {}
        PROPAGATOR.inject(outgoing, context=span_context)
        rewritten = [(name, value) for name, value in headers if name.lower() != b"traceparent"]
        if "traceparent" in outgoing:
            rewritten.append((b"traceparent", outgoing["traceparent"].encode("latin-1")))
        scope = {**scope, "headers": rewritten}
        status_code = 500

        async def send_wrapper(message: MutableMapping[str, Any]) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
            await send(message)

        token = otel_context.attach(span_context)
        try:
            await self._app(scope, receive, send_wrapper)
        except BaseException as error:
            span.record_exception(error)
            raise
        finally:
            otel_context.detach(token)
            span.set_attribute("http.response.status_code", status_code)
            if status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            span.end()
