from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from privacyhub.gateway.publishing import EventPublisher


class HealthController(Controller):
    tags = ["operations"]

    @get("/health", operation_id="health")
    async def health(self) -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @get("/ready", operation_id="ready")
    async def ready(self, publisher: NamedDependency[EventPublisher]) -> Response[dict[str, str]]:
        """Readiness: Kafka is reachable, so public intakes can be accepted."""
        if await publisher.ready():
            return Response({"status": "ready"}, status_code=HTTP_200_OK)
        return Response(
            {"status": "not ready", "reason": "kafka unreachable"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
