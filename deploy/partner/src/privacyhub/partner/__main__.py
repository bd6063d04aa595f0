from privacyhub.partner.app import create_runtime
from privacyhub.shared.service import run

runtime = create_runtime()
run(runtime.asgi_app(), runtime.settings)
