"""The emulator's HTTP plumbing: a standard-library ``ThreadingHTTPServer`` on loopback whose
handler reads one request, asks the emulator (anything with ``respond``) for a ``Response`` and
writes it back as JSON, or drops the connection when the response is lost on purpose.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any] | None  # None: drop the connection without answering
    headers: tuple[tuple[str, str], ...] = ()


class Responder(Protocol):
    def respond(
        self, *, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Response: ...


def serve_in_background(server: ThreadingHTTPServer) -> None:
    """serve_forever in a thread that leaves Ctrl-C to the main thread.

    The kernel may deliver SIGINT to any thread that does not block it. Delivered here, it
    would not interrupt a main thread that waits in a blocking read (a `yes` prompt of the
    program embedding the emulator), which would then hang. Handler threads inherit the mask.
    """
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    server.serve_forever(poll_interval=0.05)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive connections park handler threads in a blocking read; do not wait for them.
    block_on_close = False
    # socketserver's default backlog is 5: a client opening 32 connections at once had SYNs
    # dropped and waited a second for the retransmission.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Responder) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.connections_opened = 0
        super().__init__(address, RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or drop connections are part of the job, not errors to print.
        return

    def close_connections(self) -> None:
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server
    # With Nagle on, a kept-alive connection stalls ~40 ms per answer (the client's delayed ACK);
    # a buffered writer also sends headers and body in one segment (flushed after each request).
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)
            self.server.connections_opened += 1

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        url = urlsplit(self.path)
        response = self.server.emulator.respond(
            method=self.command,
            path=url.path,
            query=url.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        if response.body is None:
            self.close_connection = True
            return
        payload = json.dumps(response.body).encode()
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
