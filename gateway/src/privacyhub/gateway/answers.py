"""Answers the gateway sends itself, as plain ASGI, outside Litestar's response machinery."""

from litestar.types import Send

JSON = b"application/json"


async def send_json(send: Send, status: int, body: bytes) -> None:
    """Answer `status` with a JSON body, with the headers Litestar gives one."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", JSON), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
