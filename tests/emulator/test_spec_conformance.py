"""Emulator responses validate against the response schemas of QuantConnect's OpenAPI file.

The spec defects worked around (date-time format, ReadProjectRequest.projectId required,
undeclared nullability) are named in tests/openapi.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok
from tests.openapi import load_openapi, request_validator, response_validator


def _validate(spec: Path, endpoint: str, body: dict[str, Any]) -> None:
    response_validator(spec, endpoint)(body)


def test_every_projects_read_response_matches_the_spec(
    openapi_spec_path: Path, emulator: Emulator
) -> None:
    pid = create(emulator, "Spec/Read")["projectId"]
    for request in ({}, {"projectId": pid}, {"start": 0, "end": 2}):
        _validate(openapi_spec_path, "projects/read", ok(emulator, "projects/read", json=request))


@pytest.mark.parametrize("language", ["Py", "C#"])
def test_projects_create_responses_match_the_spec(
    openapi_spec_path: Path, emulator: Emulator, language: str
) -> None:
    body = ok(emulator, "projects/create", json={"name": "Spec/Create", "language": language})
    _validate(openapi_spec_path, "projects/create", body)
    request_validator(openapi_spec_path, "projects/create")({"name": "x", "language": language})


def test_project_nodes_responses_match_the_spec(
    openapi_spec_path: Path, emulator: Emulator
) -> None:
    pid = create(emulator, "Spec/Nodes")["projectId"]
    node = ok(emulator, "nodes/read")["backtest"][1]["id"]
    _validate(
        openapi_spec_path,
        "projects/nodes/read",
        ok(emulator, "projects/nodes/read", json={"projectId": pid}),
    )
    for nodes in ([node], []):
        body = ok(emulator, "projects/nodes/update", json={"projectId": pid, "nodes": nodes})
        _validate(openapi_spec_path, "projects/nodes/update", body)


def test_every_seeded_project_matches_the_project_schema(
    openapi_spec_path: Path, emulator: Emulator
) -> None:
    validate = response_validator(openapi_spec_path, "projects/read")
    for project in emulator.projects():
        validate({"projects": [project], "success": True})


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("projects/update", {"projectId": 1, "name": "x"}),
        ("projects/delete", {"projectId": 1}),
        ("files/create", {"projectId": 1, "name": "a.py", "content": "a"}),
        ("files/read", {"projectId": 1}),
        ("files/delete", {"projectId": 1, "name": "a.py"}),
    ],
)
def test_other_write_and_file_responses_match_the_spec(
    openapi_spec_path: Path, emulator: Emulator, endpoint: str, body: dict[str, Any]
) -> None:
    pid = create(emulator, "Spec/Other")["projectId"]
    if endpoint in ("files/read", "files/delete"):
        ok(emulator, "files/create", json={"projectId": pid, "name": "a.py", "content": "a"})
    _validate(openapi_spec_path, endpoint, ok(emulator, endpoint, json={**body, "projectId": pid}))


def test_the_validator_catches_a_wrong_shape(openapi_spec_path: Path) -> None:
    validate = response_validator(openapi_spec_path, "projects/read")
    with pytest.raises(jsonschema.ValidationError):
        validate({"projects": [{"projectId": "not-an-int"}], "success": True})


def test_request_validators_apply_the_read_project_workaround(openapi_spec_path: Path) -> None:
    read = request_validator(openapi_spec_path, "projects/read")
    read({})
    read(None)
    read({"start": 0, "end": 2})
    with pytest.raises(jsonschema.ValidationError):
        read({"projectId": "23"})
    with pytest.raises(jsonschema.ValidationError):
        request_validator(openapi_spec_path, "projects/nodes/update")({"nodes": ["x"]})


def test_the_spec_still_has_the_defects_we_work_around(openapi_spec_path: Path) -> None:
    # If QuantConnect fixes these, the workarounds in tests/openapi.py can go.
    schemas = load_openapi(openapi_spec_path)["components"]["schemas"]
    assert "projectId" in schemas["ReadProjectRequest"]["required"]
    assert schemas["Project"]["properties"]["modified"]["format"] == "date-time"
    assert "nullable" not in schemas["Project"]["properties"]["paperEquity"]


def test_an_endpoint_missing_from_the_spec_is_a_clear_error(openapi_spec_path: Path) -> None:
    with pytest.raises(KeyError, match="organizations/list"):
        response_validator(openapi_spec_path, "organizations/list")
