"""The HTTP session (issue 10): ~/.netrc is ignored; proxies and CA bundle from the environment
still apply, read once; credentials in an API URL are refused and never echoed."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from requests.adapters import BaseAdapter

from qcsync.cli import main
from qcsync.client import QCClient
from qcsync.credentials import Credentials, resolve_api_url
from qcsync.errors import CredentialsError
from qcsync.session import new_session

from .conftest import Run


class Recorder(BaseAdapter):
    """Records what the session hands the transport: the request and its proxies and verify."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[requests.PreparedRequest, dict[str, Any]]] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((request, kwargs))
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"success": true}'
        response.request = request
        return response

    def close(self) -> None:
        pass


def netrc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text(f"machine {host} login mallory password hunter2\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NETRC", str(netrc))
    return home


def test_a_netrc_entry_for_the_api_host_does_not_change_the_signed_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc_home(tmp_path, monkeypatch, "api.test")
    recorder = Recorder()
    session = new_session("https://api.test/api/v2/")
    session.mount("https://", recorder)
    with QCClient("https://api.test/api/v2/", Credentials("42", "t" * 32), session=session) as c:
        c.authenticate()
    ((request, _),) = recorder.calls
    user, _, digest = base64.b64decode(request.headers["Authorization"][6:]).decode().partition(":")
    assert (user, len(digest)) == ("42", 64)  # the signature, not mallory:hunter2
    # What requests' own default would have done: the netrc login replaces the signature.
    plain = requests.Session()
    plain.mount("https://", recorder)
    plain.post("https://api.test/api/v2/authenticate", headers={"Authorization": "Basic sig"})
    assert recorder.calls[-1][0].headers["Authorization"] != "Basic sig"


def test_plan_against_the_emulator_works_with_a_netrc_entry_for_its_host(
    qcsync: Run,
    write_config: Callable[..., Path],
    emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = netrc_home(tmp_path, monkeypatch, "127.0.0.1")
    write_config("version: 1\nprojects:\n  - name: Strategies/X\n")
    emulator.clear_log()
    result = qcsync("plan", env={"HOME": str(home), "NETRC": str(home / ".netrc")})
    assert result.exit_code == 0, result.stderr
    assert emulator.requests
    assert all(r.authorized for r in emulator.requests)


def test_proxies_and_the_ca_bundle_come_from_the_environment_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    session = new_session("https://api.test/api/v2/")
    # Changing the environment afterwards changes nothing: it was read once.
    monkeypatch.setenv("HTTPS_PROXY", "http://other.test:1")
    recorder = Recorder()
    session.mount("https://", recorder)
    session.post("https://api.test/api/v2/authenticate")
    _, sent = recorder.calls[0]
    assert sent["proxies"].get("https") == "http://proxy.test:3128"
    assert sent["verify"] == "/etc/corp-ca.pem"
    assert session.trust_env is False


@pytest.mark.parametrize(
    ("variables", "verify"),
    [
        ({"CURL_CA_BUNDLE": "/curl.pem"}, "/curl.pem"),
        ({"REQUESTS_CA_BUNDLE": "/req.pem", "CURL_CA_BUNDLE": "/curl.pem"}, "/req.pem"),
        ({}, True),
    ],
)
def test_the_ca_bundle_is_chosen_as_requests_chooses_it(
    variables: dict[str, str], verify: object
) -> None:
    assert new_session("https://api.test/", variables).verify == verify


def test_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", "api.test")
    assert "https" not in new_session("https://api.test/api/v2/").proxies


SECRET = "s3cretpass"
URLS = [f"https://mallory:{SECRET}@api.test/api/v2/", f"http://{SECRET}@127.0.0.1:9/api/v2/"]


@pytest.mark.parametrize("url", URLS)
def test_an_api_url_with_credentials_is_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(CredentialsError) as refused:
        resolve_api_url(url, {})
    assert SECRET not in str(refused.value)
    assert "***@" in str(refused.value)
    with pytest.raises(CredentialsError) as direct:
        QCClient(url, Credentials("1", "t" * 32))
    assert SECRET not in str(direct.value)


@pytest.mark.parametrize("url", URLS)
def test_the_cli_never_prints_credentials_from_a_url(url: str, workdir: Path) -> None:
    (workdir / "qcsync.yaml").write_text("version: 1\nprojects: []\n", encoding="utf-8")
    env = {"QC_USER_ID": "1", "QC_API_TOKEN": "t" * 32, "NO_COLOR": "1"}
    for args in (["--debug", "--api-url", url, "plan"], ["--debug", "plan"]):
        result = CliRunner().invoke(main, args, env={**env, "QC_API_URL": url})
        assert result.exit_code == 1
        assert SECRET not in result.stdout + result.stderr
        assert "credentials" in result.stderr
