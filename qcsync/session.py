"""The one place the API's `requests.Session` is built.

With `trust_env` on, requests consults the environment on every request: proxies and the CA
bundle, which qcsync wants, and `~/.netrc`, which it must not have: a netrc entry for the API
host silently replaces the signed `Authorization` header, and the service then answers "Hash
doesn't match". So `trust_env` is off, and the proxies (`HTTPS_PROXY`, `NO_PROXY`, ...) and CA
bundle (`REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE`) are read here, once, as requests would.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import requests
import requests.utils
from requests.adapters import HTTPAdapter

from qcsync import __version__

# Connections kept per host: requests' default, or `--parallelism` when that is larger.
DEFAULT_POOL_SIZE = 10


def new_session(
    base_url: str, env: Mapping[str, str] | None = None, *, pool_size: int = DEFAULT_POOL_SIZE
) -> requests.Session:
    """A session for `base_url` that ignores netrc but honours the environment's proxies and CA
    bundle (`env`: the environment for the CA bundle; proxies always come from os.environ, which
    is where requests' own reader looks), keeping up to `pool_size` connections open."""
    environ = os.environ if env is None else env
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.headers["User-Agent"] = f"qcsync/{__version__}"
    # One connection per concurrent worker. requests keeps 10 per host by default, so past
    # `--parallelism 10` each extra answer's connection was dropped and the next request opened
    # a new one (a TLS handshake each against the real service).
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, DEFAULT_POOL_SIZE))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
