"""QuantConnect's OpenAPI 3.0 file as JSON Schema validators for request and response bodies.

``load_openapi(spec_path)`` reads the YAML once (cached) and returns it as a dict;
``request_validator(spec_path, endpoint)`` / ``response_validator(spec_path, endpoint)`` return a
callable that raises ``jsonschema.ValidationError`` on a body the spec does not allow
(``endpoint`` like ``"projects/read"`` or ``"/projects/read"``).

OpenAPI 3.0 schemas are almost JSON Schema; the conversion turns ``nullable: true`` into a
``null`` alternative and resolves ``#/components/schemas/...`` refs against the spec document.

Known defects of the spec, worked around here (spec/SOURCE.md, qc-api.md §9):
1. Dates are typed ``format: date-time`` but the service sends ``YYYY-MM-DD HH:MM:SS``:
   validators run without a format checker, so ``format`` is not asserted.
2. ``ReadProjectRequest`` marks ``projectId`` required although omitting it lists all projects
   (qc-api.md §9 #2): it is dropped from ``required``.
3. The spec declares no field nullable, yet the live service sends ``null`` for unset values
   (ISSUE-307: ``grid``, ``liveGrid``, ``paperEquity``, ``lastLiveDeployment``, ``liveForm``;
   qc-api.md §4.12: node ``projectId`` and ``host``; ``encryptionKey`` of an
   unencrypted project): those fields, listed in ``NULLABLE_FIELDS``, also accept ``null``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

import jsonschema
import yaml

Validator = Callable[[Any], None]

NULLABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "Project": (
        "grid",
        "liveGrid",
        "paperEquity",
        "lastLiveDeployment",
        "liveForm",
        "encryptionKey",
    ),
    "Node": ("projectId", "host"),
}
NOT_REQUIRED: dict[str, tuple[str, ...]] = {"ReadProjectRequest": ("projectId",)}


@functools.cache
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    assert isinstance(document, dict)
    return document


def load_openapi(spec_path: str | PathLike[str]) -> dict[str, Any]:
    """The spec as a dict (a deep copy: callers may change it)."""
    return copy.deepcopy(_load(str(Path(spec_path).resolve())))


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def to_json_schema(node: Any) -> Any:
    """One OpenAPI 3.0 schema object (recursively) to JSON Schema 2020-12."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        return _nullable(converted)
    return converted


@functools.cache
def _json_schema_document(path: str) -> dict[str, Any]:
    document = _load(path)
    schemas = {name: to_json_schema(s) for name, s in document["components"]["schemas"].items()}
    for name, fields in NULLABLE_FIELDS.items():
        properties = schemas[name]["properties"]
        for field in fields:
            properties[field] = _nullable(properties[field])
    for name, fields in NOT_REQUIRED.items():
        schemas[name]["required"] = [r for r in schemas[name]["required"] if r not in fields]
    return {"components": {"schemas": schemas}}


def _operation(path: str, endpoint: str) -> dict[str, Any]:
    paths = _load(path)["paths"]
    key = "/" + endpoint.strip("/")
    if key not in paths:
        raise KeyError(f"the spec has no path {key}")
    operation = paths[key]["post"]
    assert isinstance(operation, dict)
    return operation


def _validator(path: str, schema: dict[str, Any]) -> Validator:
    # The ref is resolved against a document that carries every component schema.
    root = {**_json_schema_document(path), **schema}
    validator = jsonschema.Draft202012Validator(root)  # no format_checker: defect 1

    def validate(body: Any) -> None:
        validator.validate(body)

    return validate


def response_validator(spec_path: str | PathLike[str], endpoint: str) -> Validator:
    """Validates the HTTP 200 body of ``endpoint`` against its response schema."""
    path = str(Path(spec_path).resolve())
    content = _operation(path, endpoint)["responses"]["200"]["content"]
    return _validator(path, content["application/json"]["schema"])


def request_validator(spec_path: str | PathLike[str], endpoint: str) -> Validator:
    """Validates a request body (as a JSON value) of ``endpoint`` against its request schema.

    An operation whose body the spec marks optional accepts ``None`` / ``{}`` as "no body".
    """
    path = str(Path(spec_path).resolve())
    request_body = _operation(path, endpoint).get("requestBody")
    if request_body is None:
        return _validator(path, {"type": ["object", "null"], "maxProperties": 0})
    schema = dict(request_body["content"]["application/json"]["schema"])
    if not request_body.get("required", False):
        return _validator(path, {"anyOf": [schema, {"type": "null"}]})
    return _validator(path, schema)
