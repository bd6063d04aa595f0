"""Loopback TCP port helpers.

Promises: ``free_port()`` returns a port that was free on 127.0.0.1 a moment
ago; ``ensure_port_free(port)`` raises ``PortInUseError`` if something listens
on 127.0.0.1:port now.
"""

from __future__ import annotations

import socket

HOST = "127.0.0.1"


class PortInUseError(RuntimeError):
    """Another process already listens on the port we were asked to use."""


def free_port() -> int:
    """Return a currently unused TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def ensure_port_free(port: int, what: str) -> None:
    """Raise PortInUseError naming ``what`` if 127.0.0.1:port is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Java and Go servers bind with SO_REUSEADDR, so do the same: sockets
        # in TIME_WAIT must not count as "in use", a listener must.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            raise PortInUseError(
                f"{HOST}:{port} is already in use, so {what} cannot listen there "
                f"({exc.strerror}); stop the other process or choose another port"
            ) from exc


def tcp_accepts(port: int, timeout: float = 1.0) -> bool:
    """Return True if a TCP connection to 127.0.0.1:port succeeds."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False
