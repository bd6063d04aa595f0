"""Request counts and latency per route template, for Prometheus at /metrics.

The series keep the names and labels Litestar's Prometheus plugin gave them
(`litestar_requests_total`, `litestar_request_duration_seconds`, `litestar_requests_in_progress`,
`litestar_requests_error_total`; labels `method`, `path`, `status_code`, `app_name`), so
dashboards keep working. `path` is the route template (`/v1/consents/{visitor_id:str}`), never
the requested path, so no visitor id or reference lands in a label. The labelled children are
looked up once per (method, template, status) and kept, so a request costs two increments, one
decrement and one observation.
"""

import time
from typing import Any

from litestar import Controller, Response, get
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from privacyhub.gateway.routes import RouteTemplates
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

APP_NAME = "privacyhub_gateway"
LABELS = ("method", "path", "status_code", "app_name")
# Fewer than prometheus_client's 15 default buckets, from a fast 202 to a publish that timed out.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestMetrics:
    """The gateway's HTTP series in a registry of its own (each app its own, so tests may build several)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # What the default registry showed besides the request series.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self._requests = Counter(
            "litestar_requests_total", "Total requests", LABELS, registry=self.registry
        )
        self._duration = Histogram(
            "litestar_request_duration_seconds",
            "Request duration, in seconds",
            LABELS,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._in_progress = Gauge(
            "litestar_requests_in_progress",
            "Total requests currently in progress",
            LABELS,
            registry=self.registry,
        )
        self._errors = Counter(
            "litestar_requests_error_total",
            "Total errors in requests",
            LABELS,
            registry=self.registry,
        )
        self._children: dict[tuple[Any, ...], Any] = {}

    def in_progress(self, method: str, path: str) -> Any:
        # Litestar's plugin labelled the in-progress gauge with status 200, before there was one.
        return self._child(self._in_progress, method, path, 200)

    def finished(self, method: str, path: str, status: int, seconds: float) -> None:
        self._child(self._requests, method, path, status).inc()
        self._child(self._duration, method, path, status).observe(seconds)
        if status >= 500:
            self._child(self._errors, method, path, status).inc()

    def _child(self, metric: MetricWrapperBase, method: str, path: str, status: int) -> Any:
        key = (id(metric), method, path, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(method, path, status, APP_NAME)
        return child

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class RequestMetricsMiddleware:
    """Times each HTTP request from its arrival to the end of its response body."""

    def __init__(
        self, app: ASGIApp, *, metrics: RequestMetrics, unmeasured: RouteTemplates
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._unmeasured = unmeasured

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path_template", scope["path"])
        if scope["type"] != "http" or self._unmeasured.cover(path):
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        status = 500  # what the client gets when the app raises before answering
        in_progress = self._metrics.in_progress(method, path)

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        in_progress.inc()
        try:
            await self._app(scope, receive, send_observed)
        finally:
            in_progress.dec()
            self._metrics.finished(method, path, status, time.perf_counter() - started)


def request_metrics_middleware(metrics: RequestMetrics, *, unmeasured: RouteTemplates) -> Any:
    return DefineMiddleware(RequestMetricsMiddleware, metrics=metrics, unmeasured=unmeasured)


def metrics_controller(metrics: RequestMetrics) -> type[Controller]:
    """GET /metrics: the Prometheus text exposition of `metrics`."""

    class MetricsController(Controller):
        path = "/metrics"
        tags = ["operations"]

        @get(operation_id="metrics")
        async def exposition(self) -> Response[bytes]:
            """Prometheus metrics of this gateway process."""
            return Response(metrics.exposition(), headers={"content-type": CONTENT_TYPE_LATEST})

    return MetricsController
