"""Raw-HTTP helpers for the emulator contract tests: the documented signature and one call.

Deliberately independent of qcsync.client: these tests check the emulator against the API
documentation, not against the client.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import requests

from qcsync.emulator import Emulator


def signed_headers(user_id: str, token: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers of qc-api.md §2: Basic USERID:sha256(TOKEN:TIMESTAMP) plus Timestamp."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hashlib.sha256(f"{token}:{ts}".encode()).hexdigest()
    basic = base64.b64encode(f"{user_id}:{digest}".encode()).decode()
    return {"Authorization": f"Basic {basic}", "Timestamp": ts}


def call(
    emulator: Emulator,
    endpoint: str,
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
    **kwargs: Any,
) -> requests.Response:
    """Send one request to ``endpoint`` (``json=``, ``data=``, ``params=`` pass through)."""
    if headers is None:
        headers = signed_headers(emulator.user_id, emulator.token)
    return requests.request(
        method, emulator.base_url + endpoint, headers=headers, timeout=timeout, **kwargs
    )


def ok(emulator: Emulator, endpoint: str, **kwargs: Any) -> dict[str, Any]:
    """A call that must succeed: HTTP 200 and ``success: true``; returns the body."""
    response = call(emulator, endpoint, **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is True, body
    return body


def refused(emulator: Emulator, endpoint: str, **kwargs: Any) -> list[str]:
    """A call the service refuses as a business error: HTTP 200, ``success: false``, errors."""
    response = call(emulator, endpoint, **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is False, body
    assert isinstance(body["errors"], list)
    assert body["errors"]
    assert all(isinstance(e, str) for e in body["errors"])
    return list(body["errors"])


def create(emulator: Emulator, name: str, language: str = "Py", **extra: Any) -> dict[str, Any]:
    body = ok(emulator, "projects/create", json={"name": name, "language": language, **extra})
    project: dict[str, Any] = body["projects"][0]
    return project
