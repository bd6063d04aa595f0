"""A lean HTTP/1.1 keep-alive client on asyncio, for bench/pipeline.py.

Requests are built once as bytes (`request_bytes`) and written as they are; a response is read
just far enough to know its status and where it ends (Content-Length, else a chunked body). It
speaks to one local server and nothing else, which keeps it cheap enough that the load
generator does not take the CPU the measured server needs.
"""

import asyncio
import json
from typing import Any

HEADER_END = b"\r\n\r\n"


def request_bytes(method: str, path: str, port: int, body: Any = None) -> bytes:
    """One complete request; `body` is sent as JSON."""
    payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: privacyhub-bench\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return head.encode() + b"\r\n" + payload


class Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self) -> None:
        self._transport: Any = None  # uvloop's transports are no asyncio.Transport subclass
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False

    @classmethod
    async def open(cls, port: int) -> "Connection":
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(cls, "127.0.0.1", port)
        return connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionError("the server closed the connection"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._waiter is None or self._waiter.done():
            return
        response = self._complete_response()
        if response is not None:
            self._waiter.set_result(response)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send one prepared request; its status and body."""
        if self.closed or self._transport is None:
            raise ConnectionError("the connection is closed")
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(raw)
        return await self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _complete_response(self) -> tuple[int, bytes] | None:
        end = self._buffer.find(HEADER_END)
        if end < 0:
            return None
        head = bytes(self._buffer[:end]).lower()
        body_start = end + len(HEADER_END)
        length = _content_length(head)
        if length is not None:
            body_end = body_start + length
            if len(self._buffer) < body_end:
                return None
            body = bytes(self._buffer[body_start:body_end])
        elif b"transfer-encoding: chunked" in head:
            body_end = self._buffer.find(b"0\r\n\r\n", body_start)
            if body_end < 0:
                return None
            body_end += 5
            body = _dechunked(bytes(self._buffer[body_start:body_end]))
        else:
            body_end, body = body_start, b""
        status = int(head[9:12])
        if b"connection: close" in head:
            self.closed = True
        del self._buffer[:body_end]
        return status, body


def _content_length(head: bytes) -> int | None:
    start = head.find(b"content-length:")
    if start < 0:
        return None
    end = head.find(b"\r\n", start)
    return int(head[start + 15 : end if end >= 0 else None])


def _dechunked(chunked: bytes) -> bytes:
    body, position = bytearray(), 0
    while True:
        line_end = chunked.index(b"\r\n", position)
        size = int(chunked[position:line_end].split(b";")[0], 16)
        if size == 0:
            return bytes(body)
        body += chunked[line_end + 2 : line_end + 2 + size]
        position = line_end + 2 + size + 2


class Client:
    """A few connections for the bench's own calls (setup, probes), not for load."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._idle: list[Connection] = []

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Status and decoded JSON body (None when empty)."""
        raw_request = request_bytes(method, path, self.port, body)
        while self._idle:
            connection = self._idle.pop()
            if connection.closed:  # the server closes connections left idle for a few seconds
                continue
            try:
                status, raw = await connection.request(raw_request)
            except ConnectionError:  # closed by the server just as the request went out
                continue
            break
        else:
            connection = await Connection.open(self.port)
            status, raw = await connection.request(raw_request)
        if not connection.closed:
            self._idle.append(connection)
        return status, json.loads(raw) if raw else None

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
