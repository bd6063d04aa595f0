"""The console's routes, behind its session and CSRF middleware, refusals answered as pages."""

from litestar import Router
from privacyhub.gateway.console.complaints import (
    BreachRegisterConsoleController,
    ComplaintsController,
)
from privacyhub.gateway.console.downloads import DownloadsController
from privacyhub.gateway.console.home import ConsoleHomeController
from privacyhub.gateway.console.pages import EXCEPTION_PAGES
from privacyhub.gateway.console.registers import (
    AccessLogConsoleController,
    DeletionLogConsoleController,
    LegalHoldsConsoleController,
    ProcessingRegisterConsoleController,
)
from privacyhub.gateway.console.rights import RightsQueueController
from privacyhub.gateway.console.session import console_middleware
from privacyhub.gateway.console.sign_in import SignInController
from privacyhub.gateway.settings import GatewaySettings


def console_router(settings: GatewaySettings) -> Router:
    return Router(
        path="/",
        route_handlers=[
            ConsoleHomeController,
            SignInController,
            RightsQueueController,
            ComplaintsController,
            BreachRegisterConsoleController,
            LegalHoldsConsoleController,
            ProcessingRegisterConsoleController,
            DeletionLogConsoleController,
            AccessLogConsoleController,
            DownloadsController,
        ],
        middleware=console_middleware(settings.staff_token_secret.get_secret_value()),
        exception_handlers=EXCEPTION_PAGES,
        include_in_schema=False,
    )
