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

from qcsync import __version__


def new_session(base_url: str, env: Mapping[str, str] | None = None) -> requests.Session:
    """A session for `base_url` that ignores netrc but honours the environment's proxies and CA
    bundle (`env`: the environment for the CA bundle; proxies always come from os.environ, which
    is where requests' own reader looks)."""
    environ = os.environ if env is None else env
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.headers["User-Agent"] = f"qcsync/{__version__}"
    return session
