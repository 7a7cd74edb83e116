"""Failure injection: the faults a test or ``--fault-rate`` can make the emulator produce."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass

from qcsync.emulator.httpserver import Response


@dataclass(frozen=True)
class Fault:
    """One injected failure; build it with the constructors below.

    ``kind`` is one of ``status`` (answer ``status`` without acting), ``timeout`` (sleep
    ``seconds`` without acting, then answer 504), ``lost_response`` (act, then close the
    connection without answering), ``slow`` (sleep ``seconds``, then act and answer as usual:
    a client whose read timeout is shorter gives up on a write that still lands) and
    ``business_error`` (HTTP 200, ``success: false``).
    """

    kind: str
    status: int = 200
    retry_after: int | None = None
    seconds: float = 0.0
    message: str = ""

    @classmethod
    def http_500(cls) -> Fault:
        return cls(kind="status", status=500)

    @classmethod
    def http_status(cls, status: int) -> Fault:
        return cls(kind="status", status=status)

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Fault:
        return cls(kind="status", status=429, retry_after=retry_after)

    @classmethod
    def timeout(cls, seconds: float = 2.0) -> Fault:
        return cls(kind="timeout", status=504, seconds=seconds)

    @classmethod
    def slow(cls, seconds: float = 2.0) -> Fault:
        return cls(kind="slow", seconds=seconds)

    @classmethod
    def lost_response(cls) -> Fault:
        return cls(kind="lost_response")

    @classmethod
    def business_error(cls, message: str = "Injected error") -> Fault:
        return cls(kind="business_error", message=message)

    @property
    def label(self) -> str:
        """A short name for the request log: ``http_503``, ``timeout``, ``lost_response``, ..."""
        if self.kind == "status":
            return f"http_{self.status}"
        return self.kind


class FaultPlan:
    """Queued faults per endpoint plus an optional random fault rate (deterministic with a seed)."""

    def __init__(
        self, rate: float = 0.0, random_seed: int | None = None, seconds: float = 2.0
    ) -> None:
        """``seconds``: how long a random ``timeout`` or ``slow`` fault takes."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if seconds < 0:
            raise ValueError("fault_seconds must not be negative")
        self._rate = rate
        self._seconds = seconds
        self._random = random.Random(random_seed)
        self._queued: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()

    def set_rate(self, rate: float, random_seed: int | None = None) -> None:
        """Change the random fault rate from now on (0 stops random faults); queued ones stay."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        with self._lock:
            self._rate = rate
            self._random = random.Random(random_seed)

    def inject(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queued.setdefault(endpoint.strip("/"), deque()).extend([fault] * times)

    def next_for(self, endpoint: str) -> Fault | None:
        with self._lock:
            queue = self._queued.get(endpoint)
            if queue:
                return queue.popleft()
            if self._rate and self._random.random() < self._rate:
                return self._random.choice(
                    [
                        Fault.http_500(),
                        Fault.rate_limited(),
                        Fault.timeout(self._seconds),
                        Fault.lost_response(),
                        Fault.slow(self._seconds),
                    ]
                )
            return None


def fault_response(fault: Fault) -> Response:
    """What the client gets for a fault that answers without acting (``status``, ``timeout``,
    ``business_error``); a ``timeout`` sleeps first."""
    if fault.kind == "business_error":
        return Response(200, {"success": False, "errors": [fault.message]})
    if fault.kind == "timeout":
        time.sleep(fault.seconds)
        return Response(504, {"success": False, "errors": ["Gateway Timeout"]})
    headers = (("Retry-After", str(fault.retry_after)),) if fault.retry_after is not None else ()
    message = "Too Many Requests" if fault.status == 429 else f"HTTP {fault.status}"
    return Response(fault.status, {"success": False, "errors": [message]}, headers)
