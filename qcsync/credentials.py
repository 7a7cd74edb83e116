"""Where credentials and the API URL come from (DESIGN.md §2), and which URLs are allowed.

The token is kept out of every repr and message: a Credentials value prints as its user id only.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from qcsync.datafile import DataFileError, read_json
from qcsync.errors import CredentialsError
from qcsync.escape import has_url_credentials, redact_urls

DEFAULT_API_URL = "https://www.quantconnect.com/api/v2/"
LEAN_CREDENTIALS = Path(".lean") / "credentials"


@dataclass(frozen=True)
class Credentials:
    user_id: str
    token: str = field(repr=False)

    def __str__(self) -> str:
        return f"user {self.user_id}"


def load_credentials(env: Mapping[str, str], home: Path | None = None) -> Credentials:
    """QC_USER_ID and QC_API_TOKEN, else the QuantConnect CLI's ~/.lean/credentials."""
    user_id, token = env.get("QC_USER_ID", "").strip(), env.get("QC_API_TOKEN", "").strip()
    if user_id and token:
        return Credentials(user_id, token)
    path = (home if home is not None else Path(env.get("HOME") or Path.home())) / LEAN_CREDENTIALS
    if not path.is_file():
        raise CredentialsError(
            "no QuantConnect credentials: set QC_USER_ID and QC_API_TOKEN "
            f"(or run `lean login`, which writes {path}); try --sandbox to run without an account"
        )
    try:
        document = read_json(path, "a credentials file", max_bytes=1024 * 1024)
        user_id, token = str(document["user-id"]).strip(), str(document["api-token"]).strip()
    except (DataFileError, KeyError, TypeError):
        # Never echo the file's content: it holds the token.
        raise CredentialsError(
            f"{path} is not a QuantConnect CLI credentials file (JSON with user-id and api-token)"
        ) from None
    if not user_id or not token:
        raise CredentialsError(f"{path} has an empty user-id or api-token")
    return Credentials(user_id, token)


def known_tokens(env: Mapping[str, str], home: Path | None = None) -> tuple[str, ...]:
    """Every API token this machine would sign with, for the config's token rule: QC_API_TOKEN
    and the QuantConnect CLI's stored one. Missing or broken credentials are not an error here."""
    tokens = [env.get("QC_API_TOKEN", "").strip()]
    with contextlib.suppress(CredentialsError):
        tokens.append(load_credentials({}, home or Path(env.get("HOME") or Path.home())).token)
    return tuple(t for t in tokens if t)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_api_url(flag: str | None, env: Mapping[str, str]) -> str:
    """--api-url, else QC_API_URL, else the real service; https only, or http to loopback."""
    url = (flag or env.get("QC_API_URL") or DEFAULT_API_URL).strip()
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None or has_url_credentials(url):
        raise CredentialsError(
            f"API URL {redact_urls(url)!r} has credentials in it (user:password@); remove "
            "them: qcsync signs every request with QC_USER_ID and QC_API_TOKEN"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CredentialsError(f"API URL {redact_urls(url)!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise CredentialsError(
            f"refusing plain http:// to {parts.hostname}: requests are signed with your token; "
            "use https://, or http:// only to a loopback address"
        )
    return url if url.endswith("/") else url + "/"
