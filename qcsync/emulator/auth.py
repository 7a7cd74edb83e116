"""The service's request signature check (qc-api.md §2), and nothing else.

A request carries ``Authorization: Basic base64(USERID:sha256(TOKEN:TIMESTAMP))`` and a
``Timestamp`` header with the same whole-second Unix time. The token itself never travels, and
this module never puts it in a message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac


def expected_hash(token: str, timestamp: str) -> str:
    return hashlib.sha256(f"{token}:{timestamp}".encode()).hexdigest()


def check_signature(
    *,
    authorization: str | None,
    timestamp: str | None,
    user_id: str,
    token: str,
    now: float,
    max_age_seconds: int,
) -> str | None:
    """None when the request is authentic, else the service's error text (without secrets)."""
    uid, given = "", ""
    if authorization and authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        uid, _, given = decoded.partition(":")
    # Echo only what looks like a user id: a client that puts its token in the user-id slot must
    # not see it come back in an error message.
    shown_uid = uid if uid.isdigit() and len(uid) <= 20 else "''"
    shown_ts = timestamp if timestamp else "''"
    failure = f"Hash doesn't match. UID: {shown_uid} Timestamp: {shown_ts}"
    if not timestamp or not timestamp.isdigit() or not uid or not given:
        return failure
    if uid != user_id or not hmac.compare_digest(given, expected_hash(token, timestamp)):
        return failure
    if abs(now - int(timestamp)) > max_age_seconds:
        return f"{failure} (timestamp is too old for the hash: more than {max_age_seconds} seconds)"
    return None
