"""Assembles the gateway: public intakes, staff endpoints, health, metrics and the OpenAPI document."""

from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.middleware._internal.cors import CORSMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils import normalize_path
from privacyhub.gateway.access_log import AccessLogController
from privacyhub.gateway.complaints.controllers import ComplaintController
from privacyhub.gateway.complaints.staff import BreachRegisterController, ComplaintQueueController
from privacyhub.gateway.console.home import ConsoleStyleController
from privacyhub.gateway.console.pages import template_config
from privacyhub.gateway.console.routes import console_router
from privacyhub.gateway.contact.controllers import ContactController, ContactIntake
from privacyhub.gateway.contact.schemas import ContactForm
from privacyhub.gateway.contact.staff import ContactAnsweredController
from privacyhub.gateway.cookies import CookieController
from privacyhub.gateway.entrance import Entrance, answer_too_many_requests
from privacyhub.gateway.errors import EXCEPTION_HANDLERS
from privacyhub.gateway.health import HealthController
from privacyhub.gateway.lean_intake import LeanIntake
from privacyhub.gateway.metrics import RequestMetrics, metrics_controller
from privacyhub.gateway.openapi import document_as_answered
from privacyhub.gateway.operations import OperationsToken
from privacyhub.gateway.portal.controllers import PortalAssetsController, PortalController
from privacyhub.gateway.processing_register import ProcessingRegisterController
from privacyhub.gateway.publishing import EventPublisher, declare_publications
from privacyhub.gateway.queries import QueryClient
from privacyhub.gateway.rate_limit import AddressLimiter, ClientRateLimiter
from privacyhub.gateway.retention.controllers import (
    CustomerRelationshipController,
    DeletionLogController,
    LegalHoldController,
)
from privacyhub.gateway.revocation import RevokedTokens
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
from privacyhub.gateway.visitors.page_views import PageViews
from privacyhub.gateway.visitors.schemas import PageViewForm
from privacyhub.gateway.website.controllers import DemoController, WebsiteKitController
from privacyhub.shared.broker import make_broker
from privacyhub.shared.logs import configure_logging
from privacyhub.shared.production import refuse_unsafe
from prometheus_client import CollectorRegistry


class Gateway(Litestar):
    """The Litestar app behind its entrance (entrance.py), through which every request comes in."""

    entrance: ASGIApp

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.entrance(scope, receive, send)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Litestar itself: routing, CORS, handlers and their exception handling."""
        await super().__call__(scope, receive, send)

    def route_of(self, scope: Scope) -> str | None:
        """The template of the route Litestar serves the request with; None when there is none.

        Litestar's router caches its answers, so routing the request again to serve it is cheap.
        """
        path = scope["path"]
        if root_path := scope.get("root_path", ""):
            path = path.split(root_path, maxsplit=1)[-1]
        try:
            return self.asgi_router.handle_routing(
                path=normalize_path(path), method=scope["method"]
            )[4]
        except (NotFoundException, MethodNotAllowedException):
            return None

    def with_cors(self, app: ASGIApp) -> ASGIApp:
        """`app` with the CORS headers Litestar adds to its own answers."""
        # Litestar's own CORS handling (internal since 2.9), so that answers made outside
        # Litestar carry exactly the headers its answers do.
        return app if self.cors_config is None else CORSMiddleware(app, self.cors_config)


def create_app(settings: GatewaySettings | None = None) -> Gateway:
    settings = settings or GatewaySettings()
    refuse_unsafe(settings)
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
    page_views = PageViews(publisher, site_hosts=settings.site_hosts)
    contact_intake = ContactIntake(publisher, settings)
    addresses = AddressLimiter(settings.intake_per_address_per_day)

    app = Gateway(
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
            WebsiteKitController,
            DemoController,
            PortalController,
            PortalAssetsController,
            console_router(settings),
            ConsoleStyleController,
            metrics_controller(metrics),
        ],
        dependencies={
            "publisher": Provide(lambda: publisher, sync_to_thread=False),
            "queries": Provide(lambda: queries, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "addresses": Provide(lambda: addresses, sync_to_thread=False),
        },
        lifespan=[publisher.lifespan],
        state=State(
            {
                "settings": settings,
                "broker": broker,
                "page_views": page_views,
                "contact_intake": contact_intake,
                "revoked_tokens": RevokedTokens(settings.revoked_tokens_file),
            }
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=template_config(),
        cors_config=CORSConfig(
            allow_origins=settings.cors_allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
        ),
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,  # everything goes through the redacting JSON pipeline
        openapi_config=OpenAPIConfig(
            title="privacyhub gateway", version="1", path="/schema", use_handler_docstrings=True
        ),
    )
    document_as_answered(app)
    # Page views come by the thousand a second, contact messages by the hundred: they skip
    # Litestar's per-request machinery.
    lanes = {
        PageViewController.path: LeanIntake(
            app, PageViewForm, page_views.record, max_body_bytes=settings.max_body_bytes
        ),
        ContactController.path: LeanIntake(
            app, ContactForm, contact_intake.record, max_body_bytes=settings.max_body_bytes
        ),
    }
    app.entrance = Entrance(
        app.serve,
        route_of=app.route_of,
        limiter=ClientRateLimiter(settings.rate_limit_per_minute),
        metrics=metrics,
        unlimited=OPERATIONS,
        operations=OperationsToken(
            settings.operations_token.get_secret_value() if settings.operations_token else None
        ),
        refusal=app.with_cors(answer_too_many_requests),
        lanes={path: app.with_cors(lane) for path, lane in lanes.items()},
    )
    return app
