"""Prometheus metrics of the registry (``GET /metrics``; README "Running the registry
for an organisation").

Each app has its own :class:`prometheus_client.CollectorRegistry`, so two apps in
one process (tests) never share counters. Labels are bounded: the route is the
route's template (``/v1/records/{type}/{id}``), never the raw path, and no label
holds a token, a token's name or a record id.

Who can read it: any valid registry token (a viewer token made for the
scraper is enough; never an admin one). It says nothing a viewer cannot already
learn, but it names the server's version and the traffic, so it is not public.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stewardship.domain.wire import PROTOCOL_REVISION

from . import API_VERSION, __version__

CONTENT_TYPE = CONTENT_TYPE_LATEST
#: Any other method is counted as "other", so a client cannot grow the label set.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Latency buckets (seconds): a batch of 100 records takes tens of milliseconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "stewardship_registry_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "stewardship_registry_request_duration_seconds",
            "Time to answer a request, by method and route template.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.batch_results = Counter(
            "stewardship_registry_batch_operations",
            "Batch operations by result (applied, conflict, rejected); replays not counted.",
            ["result"],
            registry=self.registry,
        )
        self.database_errors = Counter(
            "stewardship_registry_database_errors",
            "Database failures: busy (locked past the busy timeout, answered 503) or error.",
            ["kind"],
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "stewardship_registry_auth_failures",
            "Requests refused for their token: unknown, revoked, expired, or rate-limited.",
            ["reason"],
            registry=self.registry,
        )
        info = Gauge(
            "stewardship_registry_info",
            "The registry's version, API and protocol revision (always 1).",
            ["version", "api", "protocol"],
            registry=self.registry,
        )
        info.labels(__version__, API_VERSION, str(PROTOCOL_REVISION)).set(1)
        for result in ("applied", "conflict", "rejected"):
            self.batch_results.labels(result)
        for kind in ("busy", "error"):
            self.database_errors.labels(kind)

    def count_batch(self, reply: dict[str, Any]) -> None:
        for result in reply.get("results", []):
            self.batch_results.labels(str(result.get("status"))).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def route_template(app: Any, scope: Scope) -> str:
    """The template of the route ``scope`` matches, or ``other`` (bounded label values)."""
    for route in getattr(app, "routes", []):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "other"))
    return "other"


class MetricsMiddleware:
    """Counts and times every request, the guard's refusals included (placed outside it)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, router: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = route_template(self.router, scope)
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
