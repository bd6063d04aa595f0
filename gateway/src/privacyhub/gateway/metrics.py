"""Request counts and latency per route template, for Prometheus at /metrics.

The series keep the names and labels Litestar's Prometheus plugin gave them
(`litestar_requests_total`, `litestar_request_duration_seconds`, `litestar_requests_in_progress`,
`litestar_requests_error_total`; labels `method`, `path`, `status_code`, `app_name`), so
dashboards keep working. `path` is the route template (`/v1/consents/{visitor_id:str}`), never
the requested path, so no visitor id or reference lands in a label. The labelled children are
looked up once per (method, template, status) and kept, so a request costs two increments, one
decrement and one observation. The gateway's entrance (entrance.py) times each request.
"""

from typing import Any

from litestar import Controller, Response, get
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
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
        self._routes: dict[tuple[str, str], RouteSeries] = {}

    def route(self, method: str, path: str) -> "RouteSeries":
        """The series of one method and route template, made at its first request."""
        series = self._routes.get((method, path))
        if series is None:
            series = self._routes[(method, path)] = RouteSeries(self, method, path)
        return series

    def in_progress(self, method: str, path: str) -> Any:
        # Litestar's plugin labelled the in-progress gauge with status 200, before there was one.
        return self._in_progress.labels(method, path, 200, APP_NAME)

    def finished(self, method: str, path: str, status: int) -> tuple[Any, Any, Any]:
        """The request counter, the duration histogram and (for a 5xx) the error counter."""
        labels = (method, path, status, APP_NAME)
        errors = self._errors.labels(*labels) if status >= 500 else None
        return self._requests.labels(*labels), self._duration.labels(*labels), errors

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class RouteSeries:
    """The labelled children of one method and route template, kept so a request costs no lookup."""

    def __init__(self, metrics: RequestMetrics, method: str, path: str) -> None:
        self._metrics = metrics
        self._method = method
        self._path = path
        self.in_progress = metrics.in_progress(method, path)
        self._by_status: dict[int, tuple[Any, Any, Any]] = {}

    def finished(self, status: int, seconds: float) -> None:
        children = self._by_status.get(status)
        if children is None:
            children = self._by_status[status] = self._metrics.finished(
                self._method, self._path, status
            )
        requests, duration, errors = children
        requests.inc()
        duration.observe(seconds)
        if errors is not None:
            errors.inc()


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
