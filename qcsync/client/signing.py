"""Signing: the headers that authenticate every attempt, and what a refused signature means.

Each request, each retry included, carries `Authorization: Basic USER_ID:sha256(TOKEN:TIMESTAMP)`
and the `Timestamp` it was hashed with (qc-api.md §2). The token is used only inside that hash:
it never enters a header in clear, a log line, a message or an exception.
"""

from __future__ import annotations

import base64
import hashlib

from qcsync.credentials import Credentials
from qcsync.errors import AuthenticationError

CLOCK_HINT = (
    "check QC_USER_ID and QC_API_TOKEN, and that this machine's clock is correct "
    "(every request is signed with the current time)"
)
_HASH_MISMATCH = "Hash doesn't match"


def signature_headers(credentials: Credentials, timestamp: int) -> dict[str, str]:
    """Basic `USER_ID:sha256(TOKEN:TIMESTAMP)` plus the Timestamp header (qc-api.md §2)."""
    digest = hashlib.sha256(f"{credentials.token}:{timestamp}".encode()).hexdigest()
    basic = base64.b64encode(f"{credentials.user_id}:{digest}".encode()).decode()
    return {"Authorization": f"Basic {basic}", "Timestamp": str(timestamp)}


def refused_signature(status: int, first_error: str) -> bool:
    """Whether an answer refuses the signature: a 401, or the service's `Hash doesn't match`,
    which it also sends inside a 2xx body (qc-api.md §3)."""
    return status == 401 or first_error.startswith(_HASH_MISMATCH)


def authentication_error(endpoint: str, status: int, first_error: str) -> AuthenticationError:
    """The error for a refused signature, with what to check (the credentials, the clock)."""
    detail = _trim_auth_error(first_error) if first_error else "unauthorized"
    return AuthenticationError(
        endpoint, [detail], status=status, message=f"authentication failed ({detail}): {CLOCK_HINT}"
    )


def _trim_auth_error(message: str) -> str:
    # "Hash doesn't match. UID: 1 Hash: <hex> Timestamp: 1": the hash is noise to a user.
    return message.split(" UID:", 1)[0].rstrip(". ") if message.startswith("Hash") else message
