import uvicorn
from privacyhub.gateway.app import create_app
from privacyhub.gateway.settings import GatewaySettings

settings = GatewaySettings()
uvicorn.run(
    create_app(settings),
    host=settings.http_host,
    port=settings.http_port,
    log_config=None,
    access_log=False,  # it would log visitors' IP addresses
)
