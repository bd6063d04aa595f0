"""Assembles the gateway: public intakes, staff endpoints, health, metrics and the OpenAPI document."""

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from privacyhub.gateway.access_log import AccessLogController
from privacyhub.gateway.complaints.controllers import ComplaintController
from privacyhub.gateway.complaints.staff import BreachRegisterController, ComplaintQueueController
from privacyhub.gateway.contact.controllers import ContactController
from privacyhub.gateway.contact.staff import ContactAnsweredController
from privacyhub.gateway.cookies import CookieController
from privacyhub.gateway.errors import EXCEPTION_HANDLERS
from privacyhub.gateway.health import HealthController
from privacyhub.gateway.metrics import (
    RequestMetrics,
    metrics_controller,
    request_metrics_middleware,
)
from privacyhub.gateway.processing_register import ProcessingRegisterController
from privacyhub.gateway.publishing import EventPublisher, declare_publications
from privacyhub.gateway.queries import QueryClient
from privacyhub.gateway.rate_limit import ClientRateLimiter, rate_limit_middleware
from privacyhub.gateway.retention.controllers import (
    CustomerRelationshipController,
    DeletionLogController,
    LegalHoldController,
)
from privacyhub.gateway.rights.controllers import RightsRequestController
from privacyhub.gateway.rights.staff import StaffRightsRequestController
from privacyhub.gateway.routes import OPERATIONS
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.gateway.statement.controllers import (
    PrivacyStatementController,
    StatementPublishingController,
)
from privacyhub.gateway.visitors.controllers import (
    AnalyticsController,
    ConsentController,
    PageViewController,
)
from privacyhub.shared.broker import make_broker
from privacyhub.shared.logs import configure_logging
from prometheus_client import CollectorRegistry


def create_app(settings: GatewaySettings | None = None) -> Litestar:
    settings = settings or GatewaySettings()
    configure_logging(service="gateway", level=settings.log_level)
    # The broker declares what the gateway publishes and reads replies; the publisher sends.
    # Its consumer metrics would say little, so they get a registry of their own.
    broker = make_broker(
        settings, client_id="gateway", registry=CollectorRegistry(), bounded_requests=True
    )
    declare_publications(broker)
    publisher = EventPublisher(broker, settings, linger_ms=settings.kafka_linger_ms)
    queries = QueryClient(broker, publisher, timeout_seconds=settings.query_timeout_seconds)
    metrics = RequestMetrics()

    return Litestar(
        route_handlers=[
            HealthController,
            ContactController,
            ContactAnsweredController,
            CookieController,
            PrivacyStatementController,
            StatementPublishingController,
            PageViewController,
            ConsentController,
            AnalyticsController,
            RightsRequestController,
            StaffRightsRequestController,
            ComplaintController,
            ComplaintQueueController,
            BreachRegisterController,
            ProcessingRegisterController,
            AccessLogController,
            LegalHoldController,
            CustomerRelationshipController,
            DeletionLogController,
            metrics_controller(metrics),
        ],
        dependencies={
            "publisher": Provide(lambda: publisher, sync_to_thread=False),
            "queries": Provide(lambda: queries, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
        },
        lifespan=[publisher.lifespan],
        state=State({"settings": settings, "broker": broker}),
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=CORSConfig(
            allow_origins=settings.cors_allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
        ),
        request_max_body_size=settings.max_body_bytes,
        middleware=[
            rate_limit_middleware(
                ClientRateLimiter(settings.rate_limit_per_minute), unlimited=OPERATIONS
            ),
            request_metrics_middleware(metrics, unmeasured=OPERATIONS),
        ],
        logging_config=None,  # everything goes through the redacting JSON pipeline
        openapi_config=OpenAPIConfig(title="privacyhub gateway", version="1", path="/schema"),
    )
