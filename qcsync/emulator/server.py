"""The emulator's public object: ``Emulator`` owns a ``Store``, serves ``/api/v2/<endpoint>`` on
loopback (``httpserver``) and gives tests direct hooks (request log, fault injection, state set-up
without HTTP).

One request goes through ``respond``: routing (``routes``; unknown endpoints answer 404 before
authentication), the signature check (``auth``; every known endpoint checks it first, qc-api.md
§8.1), fault injection (``faults``), the handler, and the request log.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from qcsync.emulator.auth import check_signature
from qcsync.emulator.faults import Fault, FaultPlan, fault_response
from qcsync.emulator.httpserver import Response, Server, serve_in_background
from qcsync.emulator.request import BadRequest, body_encoding, parse_params
from qcsync.emulator.routes import API_PREFIX, ROUTES, WRITE_ENDPOINTS, Handler, endpoint_of
from qcsync.emulator.seed import default_seed
from qcsync.emulator.store import BusinessError, Store


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
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        # Never show the token, even in a debugger or a failing assertion.
        return f"Emulator(user_id={self.user_id!r}, base_url={self.base_url!r})"

    # ------------------------------------------------------------------------- lifecycle

    def bind(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Open the listening socket (so the URL is known) without serving yet; returns the URL."""
        if self._server is None:
            self._server = Server((host, port), self)
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
        self._thread = threading.Thread(target=serve_in_background, args=(server,), daemon=True)
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
    ) -> Response:
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
    ) -> Response:
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
                Response(404, {"success": False, "errors": [f"Endpoint not found: {path}"]}),
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
            response = Response(
                self.auth_failure_status, {"success": False, "errors": [failure]}, extra
            )
            return self._log(method, path, endpoint, params, False, response, encoding=encoding)
        fault = self._faults.next_for(endpoint)
        if fault is not None and fault.kind not in ("lost_response", "slow"):
            response = fault_response(fault)
            return self._log(method, path, endpoint, params, True, response, fault, encoding)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)  # then act and answer, whether the client still waits
        if parse_error is not None:
            response = Response(200, {"success": False, "errors": [parse_error]})
        else:
            response = self._dispatch(handler, params)
        if fault is not None and fault.kind == "lost_response":
            response = Response(0, None)
        return self._log(method, path, endpoint, params, True, response, fault, encoding)

    def _dispatch(self, handler: Handler, params: dict[str, Any]) -> Response:
        try:
            return Response(200, handler(self._store, params))
        except (BusinessError, ValueError) as error:
            return Response(200, {"success": False, "errors": [str(error)]})

    def _log(
        self,
        method: str,
        path: str,
        endpoint: str,
        params: dict[str, Any],
        authorized: bool,
        response: Response,
        fault: Fault | None = None,
        encoding: str = "none",
    ) -> Response:
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
