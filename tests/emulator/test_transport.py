"""Transport leniency (qc-api.md §1, §8.2-§8.4): methods, encodings, paths, envelope, dates."""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests

from qcsync.emulator import Emulator
from tests.emulator.api import call, create, ok, refused, signed_headers
from tests.emulator_fixtures import EmulatorFactory

WIRE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def test_get_with_a_query_string_reads_one_project(emulator: Emulator) -> None:
    project = create(emulator, "Query")
    body = ok(emulator, "projects/read", method="GET", params={"projectId": project["projectId"]})
    assert [p["name"] for p in body["projects"]] == ["Query"]


def test_post_with_a_form_body_creates_a_project(emulator: Emulator) -> None:
    body = ok(emulator, "projects/create", data={"name": "Form", "language": "C#"})
    assert body["projects"][0]["name"] == "Form"
    assert body["projects"][0]["language"] == "C#"


def test_post_with_a_json_body_creates_a_project(emulator: Emulator) -> None:
    assert create(emulator, "Json")["name"] == "Json"


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_an_empty_body_reads_all_projects(emulator: Emulator, method: str) -> None:
    body = ok(emulator, "projects/read", method=method)
    assert len(body["projects"]) == len(emulator.projects())


def test_repeated_form_keys_make_a_list(emulator: Emulator) -> None:
    project = create(emulator, "Repeated")
    nodes = ok(emulator, "nodes/read")
    ids = [nodes["backtest"][1]["id"], nodes["live"][0]["id"]]
    body = ok(
        emulator,
        "projects/nodes/update",
        data={"projectId": str(project["projectId"]), "nodes": ids},  # nodes=a&nodes=b
    )
    active = [n["id"] for kind in body["nodes"].values() for n in kind if n["active"]]
    assert sorted(active) == sorted(ids)


def test_php_style_array_keys_make_a_list(emulator: Emulator) -> None:
    project = create(emulator, "Php")
    node_id = ok(emulator, "nodes/read")["research"][0]["id"]
    body = ok(
        emulator,
        "projects/nodes/update",
        data=f"projectId={project['projectId']}&nodes[0]={node_id}",
        headers={
            **signed_headers(emulator.user_id, emulator.token),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert body["autoSelectNode"] is False
    assert body["nodes"]["research"][0]["active"] is True


def test_php_style_nested_keys_are_parsed_into_objects(emulator: Emulator) -> None:
    project = create(emulator, "Nested")
    ok(
        emulator,
        "projects/update",
        data={
            "projectId": project["projectId"],
            "description": "via form",
            "parameters[0][key]": "ema",
            "parameters[0][value]": "10",
        },
    )
    assert emulator.requests[-1].params["parameters"] == [{"key": "ema", "value": "10"}]
    assert emulator.project(project["projectId"])["description"] == "via form"  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    ["projects/read", "/projects/read", "projects/read/"],
    ids=["plain", "double-slash", "trailing"],
)
def test_paths_the_documentation_examples_produce_are_accepted(
    emulator: Emulator, path: str
) -> None:
    response = requests.post(
        emulator.base_url + path,
        headers=signed_headers(emulator.user_id, emulator.token),
        json={},
        timeout=5,
    )
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert emulator.requests[-1].endpoint == "projects/read"


@pytest.mark.parametrize("path", ["projects/frobnicate", "", "backtests/read"])
def test_an_unknown_endpoint_is_a_json_404(emulator: Emulator, path: str) -> None:
    response = call(emulator, path)
    assert response.status_code == 404
    assert response.json()["success"] is False
    assert response.json()["errors"]


def test_a_path_outside_the_api_prefix_is_a_404(emulator: Emulator) -> None:
    url = emulator.base_url.replace("/api/v2/", "/api/v1/projects/read")
    assert requests.post(url, timeout=5).status_code == 404


def test_a_malformed_json_body_is_a_business_error(emulator: Emulator) -> None:
    errors = refused(
        emulator,
        "projects/read",
        data="{not json",
        headers={
            **signed_headers(emulator.user_id, emulator.token),
            "Content-Type": "application/json",
        },
    )
    assert "JSON" in errors[0]


def test_every_response_is_json_with_success(emulator: Emulator) -> None:
    response = call(emulator, "projects/read")
    assert response.headers["Content-Type"].startswith("application/json")
    assert "success" in response.json()


def test_a_non_integer_project_id_is_a_business_error(emulator: Emulator) -> None:
    errors = refused(emulator, "projects/read", json={"projectId": "abc"})
    assert "projectId" in errors[0]


def test_dates_use_the_service_format_and_unset_fields_are_null(emulator: Emulator) -> None:
    project = create(emulator, "Dates")
    assert WIRE_DATE.match(project["created"])
    assert WIRE_DATE.match(project["modified"])
    for field in (
        "grid",
        "liveGrid",
        "paperEquity",
        "lastLiveDeployment",
        "liveForm",
        "encryptionKey",
    ):
        assert field in project
        assert project[field] is None
    file = ok(emulator, "files/read", json={"projectId": project["projectId"]})["files"][0]
    assert WIRE_DATE.match(file["modified"])


def test_latency_delays_every_answer(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(latency_ms=150)
    started = time.monotonic()
    ok(emulator, "authenticate")
    assert time.monotonic() - started >= 0.15


def test_the_request_log_records_each_request(emulator: Emulator) -> None:
    emulator.clear_log()
    create(emulator, "Logged")
    ok(emulator, "projects/read", method="GET")
    records = emulator.requests
    assert [(r.method, r.endpoint, r.status, r.authorized) for r in records] == [
        ("POST", "projects/create", 200, True),
        ("GET", "projects/read", 200, True),
    ]
    assert records[0].params == {"name": "Logged", "language": "Py"}
    assert [r.endpoint for r in emulator.writes()] == ["projects/create"]


def test_the_request_log_says_how_each_request_was_encoded(emulator: Emulator) -> None:
    emulator.clear_log()
    create(emulator, "Encoded")
    ok(emulator, "projects/read", data={"start": "0", "end": "1"})
    ok(emulator, "projects/read", method="GET", params={"start": "0", "end": "1"})
    ok(emulator, "projects/read")
    # A JSON body without its Content-Type is still JSON (the service sniffs it too).
    ok(emulator, "projects/read", data=b'{"start": 0, "end": 1}')
    assert [r.encoding for r in emulator.requests] == ["json", "form", "query", "none", "json"]


def test_a_kept_alive_connection_answers_without_a_nagle_stall(emulator: Emulator) -> None:
    # Headers and body in separate segments with Nagle on cost ~40 ms per answer (delayed ACK).
    # 20 ms is a generous bound: the best of a few answers, so a busy machine does not fail it.
    with requests.Session() as session:
        url = emulator.base_url + "projects/read"
        session.post(url, headers=signed_headers(emulator.user_id, emulator.token), timeout=5)
        times = []
        for _ in range(5):
            headers = signed_headers(emulator.user_id, emulator.token)
            started = time.perf_counter()
            answer = session.post(url, headers=headers, timeout=5)
            times.append(time.perf_counter() - started)
            assert answer.json()["success"] is True
    assert min(times) < 0.020, times


def test_many_connections_opened_at_once_are_all_accepted_promptly(emulator: Emulator) -> None:
    # socketserver's default listen backlog is 5: a client opening 32 connections at once had
    # SYNs dropped and waited a second for their retransmission. 0.9 s is far above an answer.
    workers = 32
    barrier = threading.Barrier(workers)
    times: list[float] = []

    def one() -> None:
        headers = signed_headers(emulator.user_id, emulator.token)
        barrier.wait()
        started = time.perf_counter()
        answer = requests.post(emulator.base_url + "authenticate", headers=headers, timeout=5)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200

    threads = [threading.Thread(target=one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(times) == workers
    assert max(times) < 0.9, sorted(times)[-3:]
