"""The client's reading of answers the emulator never gives: other envelopes, malformed bodies,
ISO dates, unknown keys, broken connections.

A `requests` transport adapter stands in for the network here, so each test states the exact
bytes the service answers; everything else about the client (signing, retries, parsing) is real.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from qcsync.client import QCClient
from qcsync.credentials import Credentials
from qcsync.errors import AmbiguousWriteError, ApiError, AuthenticationError, TransportError
from qcsync.model import Node, NodeSelection

BASE = "https://api.test/api/v2/"
TOKEN = "wire-token-0123456789abcdef"
Answer = tuple[int, Any, Mapping[str, str]] | Exception


class Stub(BaseAdapter):
    """Answers each endpoint from a queue of (status, body, headers) or exceptions; the last
    entry repeats. Records every request it receives."""

    def __init__(self, answers: Mapping[str, list[Answer]]) -> None:
        super().__init__()
        self.answers = {k: list(v) for k, v in answers.items()}
        self.sent: list[requests.PreparedRequest] = []

    def endpoints(self) -> list[str]:
        return [str(r.url).removeprefix(BASE) for r in self.sent]

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(request)
        queue = self.answers[str(request.url).removeprefix(BASE)]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.headers.update(headers)
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


def ok(body: Mapping[str, Any]) -> Answer:
    return (200, {"success": True, **body}, {})


def stub_client(
    answers: Mapping[str, list[Answer]], **kwargs: Any
) -> tuple[QCClient, Stub, list[float]]:
    stub = Stub(answers)
    session = requests.Session()
    session.mount("https://", stub)
    sleeps: list[float] = []
    client = QCClient(
        BASE,
        Credentials("4242", TOKEN),
        session=session,
        sleep=sleeps.append,
        backoff=0.01,
        **kwargs,
    )
    return client, stub, sleeps


PROJECT = {
    "projectId": 14385875,
    "organizationId": "a" * 32,
    "name": "/options_selection_test 1",
    "modified": "2023-03-21 20:45:48",
    "created": "2023-03-21 20:45:48",
    "language": "Py",
    "description": None,
    "codeRunning": True,
    # legacy and future keys the client must ignore (qc-api.md §4.1)
    "collaborators": [{"blivecontrol": True, "epermission": "write", "bio": None}],
    "liveResults": None,
    "isAlphaStreamDeployment": 0,
    "parameters": {"ema": {"key": "ema", "value": "10"}},
    "somethingNew": {"nested": [1, 2]},
}


def node(ident: str, sku: str, *, active: bool = False, name: str | None = None) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name if name is not None else sku,
        "sku": sku,
        "hasGpu": 0,
        "price": {"monthly": 20, "yearly": 200},
        "projectId": None,
        "host": None,
        "active": active,
        "unknownKey": "ignored",
    }


# --- wire -> model ----------------------------------------------------------------------------


def test_a_project_is_mapped_ignoring_unknown_keys_and_tolerating_nulls() -> None:
    client, _, _ = stub_client({"projects/read": [ok({"projects": [PROJECT], "versions": []})]})
    (project,) = client.list_projects()
    assert project.id == 14385875
    assert project.name == "options_selection_test 1"  # leading "/" stripped, as lean-cli does
    assert project.organization_id == "a" * 32
    assert project.description == ""
    assert project.code_running is True
    assert project.modified == datetime(2023, 3, 21, 20, 45, 48, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2021-11-26T15:18:27.693Z", datetime(2021, 11, 26, 15, 18, 27, 693000, tzinfo=UTC)),
        ("2021-11-26T17:18:27+02:00", datetime(2021, 11, 26, 15, 18, 27, tzinfo=UTC)),
        (None, None),
    ],
    ids=["iso-z", "iso-offset", "null"],
)
def test_file_dates_in_other_shapes_are_read_as_utc(wire: Any, expected: Any) -> None:
    file = {"id": 1, "projectId": 5, "name": "main.py", "content": "x", "modified": wire}
    client, _, _ = stub_client({"files/read": [ok({"files": [file], "extra": 1})]})
    (read,) = client.read_files(5)
    assert (read.name, read.content, read.modified, read.is_library) == (
        "main.py",
        "x",
        expected,
        False,
    )


def test_project_nodes_come_nested_and_organization_nodes_at_the_top_level() -> None:
    lists = {
        "backtest": [node("BN-1", "B2-8", active=True, name="Fast")],
        "research": [node("RN-1", "R1-4")],
        "live": [node("LN-1", "L-MICRO", name="")],
    }
    client, _, _ = stub_client(
        {
            "projects/nodes/read": [ok({"nodes": lists, "autoSelectNode": False})],
            "nodes/read": [ok(lists)],
        }
    )
    project_nodes = client.read_project_nodes(5)
    assert project_nodes.catalog == (
        Node("BN-1", "Fast", "B2-8", "backtest"),
        Node("RN-1", "R1-4", "R1-4", "research"),
        Node("LN-1", "L-MICRO", "L-MICRO", "live"),  # an empty name falls back to the SKU
    )
    assert project_nodes.selection == NodeSelection(auto=False, active=frozenset({"BN-1"}))
    assert client.read_nodes("a" * 32) == project_nodes.catalog


def test_auto_selection_reports_no_active_ids() -> None:
    lists = {"backtest": [node("BN-1", "B2-8", active=True)], "research": [], "live": []}
    client, _, _ = stub_client(
        {"projects/nodes/read": [ok({"nodes": lists, "autoSelectNode": True})]}
    )
    assert client.read_project_nodes(5).selection == NodeSelection(auto=True)


@pytest.mark.parametrize(
    ("endpoint", "call", "body"),
    [
        ("projects/read", lambda c: c.list_projects(), {"projects": [{"name": "no id"}]}),
        ("projects/read", lambda c: c.read_project(1), {"projects": []}),
        ("projects/create", lambda c: c.create_project("A", "Py", None), {"projects": "x"}),
        ("projects/nodes/read", lambda c: c.read_project_nodes(1), {"nodes": ["x"]}),
        ("nodes/read", lambda c: c.read_nodes("o"), {"backtest": [{"name": "no id"}]}),
        ("files/read", lambda c: c.read_files(1), {"files": [{"content": "no name"}]}),
        ("organizations/read", lambda c: c.read_organization(), {"organization": None}),
        ("organizations/list", lambda c: c.list_organizations(), {"organizations": [7]}),
    ],
    ids=[
        "project-without-id",
        "read-without-project",
        "create-projects-not-a-list",
        "nodes-not-an-object",
        "node-without-id",
        "file-without-name",
        "organization-null",
        "organization-not-an-object",
    ],
)
def test_a_malformed_answer_is_an_api_error_naming_the_endpoint(
    endpoint: str, call: Callable[[QCClient], Any], body: dict[str, Any]
) -> None:
    client, _, _ = stub_client({endpoint: [ok(body)]})
    with pytest.raises(ApiError) as error:
        call(client)
    assert str(error.value).startswith(f"{endpoint}: ")
    assert type(error.value) is ApiError


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, {"success": False, "errors": ["Project not found"]}, {}), "Project not found"),
        ((200, {"success": False, "messages": ["Quota reached"]}, {}), "Quota reached"),
        ((200, {"success": False, "Message": "Internal Error 21"}, {}), "Internal Error 21"),
        ((200, {"success": False}, {}), "success: false"),
        ((200, b"<html>maintenance</html>", {}), "not a JSON object"),
        ((200, [1, 2], {}), "not a JSON object"),
        ((413, {"success": False, "errors": ["Too large"]}, {}), "HTTP 413: Too large"),
    ],
    ids=["errors", "messages", "aspnet-message", "no-errors", "html", "json-list", "http-413"],
)
def test_a_refusal_carries_the_services_own_words(answer: Answer, expected: str) -> None:
    client, stub, _ = stub_client({"projects/update": [answer]})
    with pytest.raises(ApiError, match=expected) as error:
        client.update_project(1, name="B")
    assert type(error.value) is ApiError
    assert len(stub.sent) == 1  # a refusal does not change by asking again


def test_hash_mismatch_in_a_200_body_is_an_authentication_error_without_the_hash() -> None:
    digest = "d" * 64
    text = f"Hash doesn't match. UID: 4242 Hash: {digest} Timestamp: 1700000000"
    client, _, _ = stub_client({"authenticate": [(200, {"success": False, "errors": [text]}, {})]})
    with pytest.raises(AuthenticationError) as error:
        client.authenticate()
    assert "Hash doesn't match" in str(error.value)
    assert "clock" in str(error.value)
    assert digest not in str(error.value)
    assert digest not in " ".join(error.value.errors)


def test_a_401_without_a_body_is_an_authentication_error() -> None:
    client, _, _ = stub_client({"authenticate": [(401, b"", {"WWW-Authenticate": "Basic"})]})
    with pytest.raises(AuthenticationError, match="unauthorized"):
        client.authenticate()


# --- signing and transport --------------------------------------------------------------------


def test_every_attempt_is_signed_afresh_with_its_own_timestamp() -> None:
    ticks = iter(range(1_700_000_000, 1_700_000_100))
    client, stub, _ = stub_client(
        {"authenticate": [(500, b"", {}), (502, b"", {}), ok({})]},
        clock=lambda: float(next(ticks)),
    )
    client.authenticate()
    stamps = [r.headers["Timestamp"] for r in stub.sent]
    assert stamps == ["1700000000", "1700000001", "1700000002"]
    for request, stamp in zip(stub.sent, stamps, strict=True):
        digest = hashlib.sha256(f"{TOKEN}:{stamp}".encode()).hexdigest()
        expected = base64.b64encode(f"4242:{digest}".encode()).decode()
        assert request.headers["Authorization"] == f"Basic {expected}"
        assert request.headers["User-Agent"].startswith("qcsync/")
        assert request.method == "POST"
        assert json.loads(request.body or b"{}") == {}


def test_a_body_cut_off_midway_is_retried() -> None:
    broken = requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")
    client, stub, sleeps = stub_client({"files/read": [broken, ok({"files": []})]})
    assert client.read_files(3) == ()
    assert len(stub.sent) == 2
    assert len(sleeps) == 1


def test_a_retry_after_beyond_reason_is_capped() -> None:
    client, _, sleeps = stub_client(
        {"projects/read": [(429, b"", {"Retry-After": "86400"}), ok({"projects": []})]},
        max_backoff=2.0,
    )
    client.list_projects()
    assert sleeps == [8.0]


def test_a_create_whose_check_fails_is_reported_as_possibly_done() -> None:
    dropped = requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected")
    client, stub, _ = stub_client(
        {"projects/create": [dropped], "projects/read": [(503, b"", {})]}, max_retries=1
    )
    with pytest.raises(AmbiguousWriteError) as error:
        client.create_project("Lost", "Py", "o" * 32)
    assert "may or may not have happened" in str(error.value)
    assert "qcsync plan" in str(error.value)
    assert stub.endpoints().count("projects/create") == 1


def test_a_create_that_keeps_failing_before_acting_gives_up() -> None:
    client, stub, _ = stub_client(
        {"projects/create": [(429, b"", {"Retry-After": "0"})]}, max_retries=2
    )
    with pytest.raises(TransportError, match="gave up after 3 attempts: rate limited"):
        client.create_project("Busy", "Py", "o" * 32)
    assert stub.endpoints() == ["projects/create"] * 3


def test_an_empty_file_is_created_without_the_content_field_the_service_refuses() -> None:
    client, stub, _ = stub_client({"files/create": [ok({})]})
    client.create_file(3, "empty.py", "")
    assert json.loads(stub.sent[0].body or b"") == {"projectId": 3, "name": "empty.py"}


def test_transport_errors_never_show_the_token() -> None:
    client, _, _ = stub_client(
        {"projects/read": [requests.exceptions.ConnectionError(f"refused {BASE}")]},
        max_retries=1,
    )
    with pytest.raises(TransportError) as error:
        client.list_projects()
    assert "projects/read" in str(error.value)
    assert TOKEN not in str(error.value)
    assert TOKEN not in repr(error.value)


def _listed(*projects: tuple[int, str]) -> Answer:
    return ok(
        {
            "projects": [
                {"projectId": pid, "organizationId": "o" * 32, "name": name, "language": "Py"}
                for pid, name in projects
            ]
        }
    )


def test_a_resent_create_answered_with_the_copy_keeps_the_first_and_names_the_copy() -> None:
    # The first attempt's answer is lost and no look finds it; it lands just before the resend,
    # which the service therefore names "Late 1". Both are this create's doing.
    client, stub, _ = stub_client(
        {
            "projects/create": [
                requests.exceptions.ReadTimeout("read timed out"),
                ok({"projects": [{"projectId": 8, "name": "Late 1", "organizationId": "o" * 32}]}),
            ],
            "projects/read": [
                _listed((5, "Other")),
                _listed((5, "Other"), (7, "Late"), (8, "Late 1")),
            ],
        },
        create_settle=0,
    )
    created = client.create_project_checked("Late", "Py", "o" * 32)
    assert (created.project.id, created.project.name) == (7, "Late")
    assert [(c.id, c.name) for c in created.copies] == [(8, "Late 1")]
    assert created.resent
    assert stub.endpoints().count("projects/create") == 2


def test_a_copy_that_was_there_before_the_resend_is_not_taken_for_ours() -> None:
    client, _, _ = stub_client(
        {
            "projects/create": [
                requests.exceptions.ReadTimeout("read timed out"),
                ok({"projects": [{"projectId": 9, "name": "Mine", "organizationId": "o" * 32}]}),
            ],
            "projects/read": [_listed((4, "Mine 1")), _listed((4, "Mine 1"), (9, "Mine"))],
        },
        create_settle=0,
    )
    created = client.create_project_checked("Mine", "Py", "o" * 32)
    assert created.project.id == 9
    assert created.copies == ()
