"""Print the AsyncAPI document of every process's publications and subscriptions.

`make asyncapi` writes it to docs/asyncapi.json; a test fails when the committed
document no longer matches the code.
"""

import json
import os

from faststream.specification import AsyncAPI
from privacyhub.consent.app import create_runtime as consent
from privacyhub.contact.app import create_runtime as contact
from privacyhub.gateway.app import create_app as gateway
from privacyhub.partner.app import create_runtime as partner
from privacyhub.requests.app import create_runtime as requests
from privacyhub.retention.app import create_runtime as retention


def document() -> dict:
    # The processes are only assembled to read their declarations, never started.
    os.environ["PRIVACYHUB_ENVIRONMENT"] = "development"
    brokers = [gateway().state.broker] + [
        make().broker for make in (consent, contact, requests, retention, partner)
    ]
    spec = AsyncAPI(
        *brokers,
        title="privacyhub events",
        version="1",
        description="Topics between the gateway, the services and partner tools. "
        "Every message is an envelope keyed by the pseudonymous subject id.",
    )
    return spec.to_specification().to_jsonable()


if __name__ == "__main__":
    print(json.dumps(document(), indent=2, sort_keys=True))
