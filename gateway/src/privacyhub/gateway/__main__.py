import uvicorn
from privacyhub.gateway.app import create_app
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.collector import freeze_start_up_objects
from privacyhub.shared.production import refusing_unsafe_start

settings = GatewaySettings()
with refusing_unsafe_start():
    app = create_app(settings)
app.on_startup.append(freeze_start_up_objects)
uvicorn.run(
    app,
    host=settings.http_host,
    port=settings.http_port,
    log_config=None,
    access_log=False,  # it would log visitors' IP addresses
)
