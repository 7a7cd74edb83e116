"""The emulator's HTTP face: routing, authentication, the envelope, faults and the request log.

``Emulator`` is the public object: it owns a ``Store``, serves ``/api/v2/<endpoint>`` from a
standard-library ``ThreadingHTTPServer`` on loopback, and gives tests direct hooks (request log,
fault injection, state set-up without HTTP). Unknown endpoints answer 404 before authentication;
every known endpoint checks the signature first (qc-api.md §8.1).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from qcsync.emulator.auth import check_signature
from qcsync.emulator.content_routes import CONTENT_ROUTES, CONTENT_WRITES
from qcsync.emulator.faults import Fault, FaultPlan
from qcsync.emulator.request import (
    BadRequest,
    body_encoding,
    param_int,
    param_str,
    param_str_list,
    parse_params,
)
from qcsync.emulator.seed import default_seed
from qcsync.emulator.store import BusinessError, Store

API_PREFIX = "/api/v2"
WRITE_ENDPOINTS = (
    frozenset(
        {
            "projects/create",
            "projects/update",
            "projects/delete",
            "projects/nodes/update",
            "files/create",
            "files/update",
            "files/delete",
        }
    )
    | CONTENT_WRITES
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw it. ``status`` is 0 when the response was lost on purpose.

    ``params`` are the parsed request parameters (never headers, so never a credential);
    ``fault`` names the injected fault (``http_500``, ``timeout``, ...) or is empty;
    ``encoding`` says how the parameters came: ``json``, ``form`` (a form-urlencoded body),
    ``query`` (no body, a query string) or ``none``.
    """

    method: str
    path: str
    endpoint: str
    params: dict[str, Any]
    status: int
    authorized: bool
    fault: str = field(default="")
    encoding: str = field(default="none")


Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]


def _authenticate(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"success": True}


def _create_project(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    name = param_str(params, "name")
    language = param_str(params, "language")
    if name is None or language is None:
        raise BusinessError("name and language are required")
    project = store.create_project(
        name, language, organization_id=param_str(params, "organizationId") or None
    )
    return {"projects": [project], "success": True}


def _read_projects(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    projects = store.read_projects(
        param_int(params, "projectId"),
        param_int(params, "start"),
        param_int(params, "end"),
        param_str(params, "organizationId") or None,
    )
    return {"projects": projects, "versions": store.lean_versions(), "success": True}


def _delete_project(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.delete_project(param_int(params, "projectId"))
    return {"success": True}


def _read_live(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    """No live trading is ever deployed in the emulator; the answer says so for a project that
    exists (a choice: qc-api.md does not record the service's words for it)."""
    project_id = param_int(params, "projectId")
    store.read_projects(project_id if project_id is not None else -1)
    raise BusinessError(f"No live algorithm is deployed for project {project_id}")


def _read_project_nodes(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {**store.read_project_nodes(param_int(params, "projectId")), "success": True}


def _update_project_nodes(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    selection = store.update_project_nodes(
        param_int(params, "projectId"), param_str_list(params, "nodes")
    )
    return {**selection, "success": True}


def _read_organization_nodes(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    nodes = store.read_organization_nodes(param_str(params, "organizationId") or None)
    return {**nodes, "success": True}


def _create_file(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    file = store.create_file(
        param_int(params, "projectId"), param_str(params, "name"), param_str(params, "content")
    )
    return {"files": [file], "success": True}


def _read_files(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    files = store.read_files(param_int(params, "projectId"), param_str(params, "name"))
    return {"files": files, "success": True}


def _update_file(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    project_id, name = param_int(params, "projectId"), param_str(params, "name")
    new_name, content = param_str(params, "newName"), param_str(params, "content")
    if new_name is not None:
        store.rename_file(project_id, name, new_name)
        return {"success": True}
    if content is None:
        raise BusinessError("Either newName or content is required")
    return {"files": [store.update_file_content(project_id, name, content)], "success": True}


def _delete_file(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.delete_file(param_int(params, "projectId"), param_str(params, "name"))
    return {"success": True}


def _read_organization(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    organization = store.read_organization(param_str(params, "organizationId") or None)
    return {"organization": organization, "success": True}


def _list_organizations(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"organizations": store.list_organizations(), "success": True}


ROUTES: dict[str, Handler] = {
    "authenticate": _authenticate,
    "projects/create": _create_project,
    "projects/read": _read_projects,
    "projects/delete": _delete_project,
    "projects/nodes/read": _read_project_nodes,
    "live/read": _read_live,
    "projects/nodes/update": _update_project_nodes,
    "nodes/read": _read_organization_nodes,
    "files/create": _create_file,
    "files/read": _read_files,
    "files/update": _update_file,
    "files/delete": _delete_file,
    "organizations/read": _read_organization,
    "organizations/list": _list_organizations,
    **CONTENT_ROUTES,
}


def endpoint_of(path: str) -> str | None:
    """``/api/v2//projects/read/`` -> ``projects/read``; None outside the API prefix."""
    if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
        return None
    return "/".join(part for part in path[len(API_PREFIX) :].split("/") if part)


@dataclass(frozen=True)
class _Response:
    status: int
    body: dict[str, Any] | None  # None: drop the connection without answering
    headers: tuple[tuple[str, str], ...] = ()


def _serve_in_background(server: ThreadingHTTPServer) -> None:
    """serve_forever in a thread that leaves Ctrl-C to the main thread.

    The kernel may deliver SIGINT to any thread that does not block it. Delivered here, it
    would not interrupt a main thread that waits in a blocking read (a `yes` prompt of the
    program embedding the emulator), which would then hang. Handler threads inherit the mask.
    """
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    server.serve_forever(poll_interval=0.05)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive connections park handler threads in a blocking read; do not wait for them.
    block_on_close = False
    # socketserver's default backlog is 5: a client opening 32 connections at once had SYNs
    # dropped and waited a second for the retransmission.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.connections_opened = 0
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or drop connections are part of the job, not errors to print.
        return

    def close_connections(self) -> None:
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
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


class Emulator:
    """A QuantConnect API v2 stand-in on loopback, with hooks for tests."""

    def __init__(
        self,
        *,
        user_id: str = "123456",
        token: str | None = None,
        state_path: str | os.PathLike[str] | None = None,
        seed: Mapping[str, Any] | None = None,
        max_age_seconds: int = 1800,
        auth_failure_status: int = 401,
        latency_ms: int = 0,
        fault_rate: float = 0.0,
        random_seed: int | None = None,
        fault_seconds: float = 2.0,
        clock: Callable[[], float] = time.time,
        hard_delete: bool | None = None,
    ) -> None:
        """``hard_delete``: True deletes at once (the old service), False moves deleted projects
        to the Recycle Bin (today's service); None keeps the state file's or seed's mode, which
        defaults to the Recycle Bin."""
        if auth_failure_status not in (200, 401):
            raise ValueError("auth_failure_status must be 401 or 200")
        self.user_id = str(user_id)
        self.token = token if token is not None else secrets.token_hex(32)
        self.max_age_seconds = max_age_seconds
        self.auth_failure_status = auth_failure_status
        self.latency_ms = latency_ms
        self.requests: list[RequestRecord] = []
        self.base_url = ""
        self._clock = clock
        self._faults = FaultPlan(fault_rate, random_seed, fault_seconds)
        self._log_lock = threading.Lock()
        self._in_flight = 0
        # The most requests the emulator was answering at once (clear_log resets it).
        self.peak_in_flight = 0
        self._store = Store(
            user_id=self.user_id,
            seed=default_seed() if seed is None else seed,
            state_path=Path(state_path) if state_path is not None else None,
            clock=clock,
            delete_mode=None if hard_delete is None else "hard" if hard_delete else "recycle",
        )
        preferred, other = self._store.organization_ids()
        self.preferred_organization_id: str = preferred
        self.other_organization_id: str = other or ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        # Never show the token, even in a debugger or a failing assertion.
        return f"Emulator(user_id={self.user_id!r}, base_url={self.base_url!r})"

    # ------------------------------------------------------------------------- lifecycle

    def bind(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Open the listening socket (so the URL is known) without serving yet; returns the URL."""
        if self._server is None:
            self._server = _Server((host, port), self)
            bound_host, bound_port = self._server.server_address[:2]
            self.base_url = f"http://{bound_host!s}:{bound_port}{API_PREFIX}/"
        return self.base_url

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread; returns the base URL ``http://HOST:PORT/api/v2/``."""
        if self._thread is not None:
            return self.base_url
        self.bind(host, port)
        server = self._server
        assert server is not None
        self._thread = threading.Thread(target=_serve_in_background, args=(server,), daemon=True)
        self._thread.start()
        return self.base_url

    def serve_forever(self, host: str = "127.0.0.1", port: int = 5612) -> None:
        """Serve in the calling thread until interrupted (for the command line).

        ``host`` and ``port`` are ignored when ``bind`` was called before.
        """
        self.bind(host, port)
        server = self._server
        assert server is not None
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
            self._server = None
            self._store.close()

    def stop(self) -> None:
        """Stop serving (if serving) and fold the state journal into the state file."""
        server, self._server = self._server, None
        if server is None:
            self._store.close()
            return
        if self._thread is not None:
            # shutdown() waits for serve_forever, so only a serving server may be shut down.
            server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._store.close()

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------------- test hooks

    def writes(self) -> list[RequestRecord]:
        """Authorized requests to endpoints that write, in arrival order."""
        with self._log_lock:
            return [r for r in self.requests if r.authorized and r.endpoint in WRITE_ENDPOINTS]

    @property
    def connections_opened(self) -> int:
        """How many TCP connections clients have opened since the server started."""
        server = self._server
        return 0 if server is None else server.connections_opened

    def clear_log(self) -> None:
        with self._log_lock:
            self.requests.clear()
            self.peak_in_flight = self._in_flight

    def set_fault_rate(self, rate: float, random_seed: int | None = None) -> None:
        """Random faults from now on at ``rate`` (repeatable with ``random_seed``); 0 stops them."""
        self._faults.set_rate(rate, random_seed)

    def inject(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        """Make the next ``times`` authorized calls of ``endpoint`` (``projects/create``) fail."""
        self._faults.inject(endpoint, fault, times)

    def add_project(
        self,
        name: str,
        language: str = "Py",
        *,
        organization_id: str | None = None,
        description: str = "",
        code_running: bool = False,
        files: Mapping[str, str] | None = None,
    ) -> int:
        """Create a project without HTTP (same rules as ``projects/create``); returns its id."""
        project = self._store.create_project(
            name,
            language,
            organization_id=organization_id,
            description=description,
            code_running=code_running,
            files=files,
        )
        return int(project["projectId"])

    def set_code_running(self, project_id: int, running: bool) -> None:
        self._store.set_code_running(project_id, running)

    def set_tier(self, organization_id: str | None, tier: str) -> None:
        """Set an organization's tier (``free`` ... ``institution``): its file quotas."""
        self._store.set_tier(organization_id, tier)

    def set_encrypted(self, project_id: int, encrypted: bool = True) -> None:
        self._store.set_encrypted(project_id, encrypted)

    def add_user(self, public_id: str, **fields: Any) -> dict[str, Any]:
        """Make a user known, so ``projects/collaboration/create`` can add them."""
        return self._store.add_user({"publicId": public_id, **fields})

    def lock_elsewhere(self, project_id: int, code_source_id: str = "Web IDE") -> None:
        """Someone else takes the project's collaboration lock (a colleague in the web IDE)."""
        self._store.lock_elsewhere(project_id, code_source_id)

    def touch(self, project_id: int) -> None:
        """Bump ``modified``, as an edit in the web IDE would."""
        self._store.touch(project_id)

    def project(self, project_id: int) -> dict[str, Any] | None:
        return self._store.project(project_id)

    @property
    def hard_delete(self) -> bool:
        return self._store.delete_mode == "hard"

    def advance_clock(self, *, days: float = 0, seconds: float = 0) -> None:
        """Move the service's clock (dates it writes, the Recycle Bin's 30-day purge) forward.

        Not reachable over HTTP: the API surface stays the service's. Signatures are still
        checked against the real time.
        """
        self._store.advance_clock(days * 86400 + seconds)

    def projects(self) -> list[dict[str, Any]]:
        return self._store.read_projects()

    @property
    def store(self) -> Store:
        """The underlying store, for set-up the hooks above do not cover (files, nodes)."""
        return self._store

    # ------------------------------------------------------------------------- one request

    def respond(
        self, *, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> _Response:
        """Everything between the parsed HTTP request and the bytes sent back."""
        with self._log_lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            return self._respond(method, path, query, headers, body)
        finally:
            with self._log_lock:
                self._in_flight -= 1

    def _respond(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> _Response:
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        endpoint = endpoint_of(path)
        encoding = body_encoding(query, headers.get("content-type", ""), body)
        try:
            params = parse_params(query, headers.get("content-type", ""), body)
        except BadRequest as error:
            params = {}
            parse_error: str | None = str(error)
        else:
            parse_error = None
        handler = ROUTES.get(endpoint or "")
        if endpoint is None or handler is None:
            return self._log(
                method,
                path,
                endpoint or "",
                params,
                False,
                _Response(404, {"success": False, "errors": [f"Endpoint not found: {path}"]}),
                encoding=encoding,
            )
        failure = check_signature(
            authorization=headers.get("authorization"),
            timestamp=headers.get("timestamp"),
            user_id=self.user_id,
            token=self.token,
            now=self._clock(),
            max_age_seconds=self.max_age_seconds,
        )
        if failure is not None:
            extra = (("WWW-Authenticate", "Basic"),) if self.auth_failure_status == 401 else ()
            response = _Response(
                self.auth_failure_status, {"success": False, "errors": [failure]}, extra
            )
            return self._log(method, path, endpoint, params, False, response, encoding=encoding)
        fault = self._faults.next_for(endpoint)
        if fault is not None and fault.kind not in ("lost_response", "slow"):
            response = self._fault_response(fault)
            return self._log(method, path, endpoint, params, True, response, fault, encoding)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)  # then act and answer, whether the client still waits
        if parse_error is not None:
            response = _Response(200, {"success": False, "errors": [parse_error]})
        else:
            response = self._dispatch(handler, params)
        if fault is not None and fault.kind == "lost_response":
            response = _Response(0, None)
        return self._log(method, path, endpoint, params, True, response, fault, encoding)

    def _dispatch(self, handler: Handler, params: dict[str, Any]) -> _Response:
        try:
            return _Response(200, handler(self._store, params))
        except (BusinessError, ValueError) as error:
            return _Response(200, {"success": False, "errors": [str(error)]})

    @staticmethod
    def _fault_response(fault: Fault) -> _Response:
        if fault.kind == "business_error":
            return _Response(200, {"success": False, "errors": [fault.message]})
        if fault.kind == "timeout":
            time.sleep(fault.seconds)
            return _Response(504, {"success": False, "errors": ["Gateway Timeout"]})
        headers = (
            (("Retry-After", str(fault.retry_after)),) if fault.retry_after is not None else ()
        )
        message = "Too Many Requests" if fault.status == 429 else f"HTTP {fault.status}"
        return _Response(fault.status, {"success": False, "errors": [message]}, headers)

    def _log(
        self,
        method: str,
        path: str,
        endpoint: str,
        params: dict[str, Any],
        authorized: bool,
        response: _Response,
        fault: Fault | None = None,
        encoding: str = "none",
    ) -> _Response:
        record = RequestRecord(
            method,
            path,
            endpoint,
            params,
            response.status,
            authorized,
            fault.label if fault else "",
            encoding,
        )
        with self._log_lock:
            self.requests.append(record)
        return response
