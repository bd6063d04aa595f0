"""The baseline apps of bench/pipeline.py: a bare Litestar app that takes page views as the gateway
does, with the gateway's own form validation and device parsing, and nothing else.

    python bench/pipeline_baseline_app.py --port N [--publish TOPIC]

Without --publish it answers 202 without publishing; with it, each request first waits for one
aiokafka `send_and_wait` (acks=all, idempotent) to TOPIC, logged in from the same variables as
every privacyhub process (KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME...).
Served by uvicorn with one worker, as the gateway is.
"""

import argparse
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from uuid import uuid4

import uvicorn
from aiokafka import AIOKafkaProducer
from litestar import Litestar, Request, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.visitors.schemas import PageViewForm, page_address
from privacyhub.gateway.visitors.user_agents import device_facts
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.settings import CommonSettings


def create_app(topic: str | None) -> Litestar:
    producer: AIOKafkaProducer | None = None

    @asynccontextmanager
    async def kafka(_app: Litestar) -> AsyncIterator[None]:
        nonlocal producer
        if topic is None:
            yield
            return
        settings = CommonSettings()
        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            **kafka_client_options(settings),
        )
        await producer.start()
        try:
            yield
        finally:
            await producer.stop()

    @post("/v1/pageviews", status_code=HTTP_202_ACCEPTED)
    async def record(data: JSONBody[PageViewForm], request: Request) -> dict[str, str]:
        facts = device_facts(data.user_agent or request.headers.get("user-agent"))
        event_id = str(uuid4())
        if producer is not None:
            view = {
                "visitor_id": data.visitor_id,
                "url": page_address(data.url),
                "referrer": page_address(data.referrer) if data.referrer else None,
                **asdict(facts),
                "occurred_at": (data.occurred_at or datetime.now(UTC)).isoformat(),
            }
            envelope = {"event_id": event_id, "type": "PageViewed", "payload": view}
            await producer.send_and_wait(
                topic, json.dumps(envelope).encode(), key=data.visitor_id.encode()
            )
        return {"page_view_id": event_id}

    @get("/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return Litestar(route_handlers=[record, ready], lifespan=[kafka], logging_config=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--publish", metavar="TOPIC", default=None)
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.publish),
        host="127.0.0.1",
        port=args.port,
        log_config=None,
        access_log=False,
    )
