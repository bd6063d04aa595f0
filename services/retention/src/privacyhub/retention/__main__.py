from privacyhub.retention.app import create_runtime
from privacyhub.shared.production import refusing_unsafe_start
from privacyhub.shared.service import run

with refusing_unsafe_start():
    runtime = create_runtime()
run(runtime.asgi_app(), runtime.settings)
