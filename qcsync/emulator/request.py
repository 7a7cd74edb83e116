"""Turns an HTTP request's query string and body into one parameter dict.

The service accepts GET with a query string, POST with JSON, POST with form encoding (PHP-style
keys ``a[0][b]=``, repeated keys ``nodes=a&nodes=b``) and an empty body on every route
(qc-api.md §1). Form values are strings; handlers coerce them with the ``param_*`` helpers.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from qcsync.emulator.jsonfile import loads

_PHP_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class BadRequest(Exception):
    """A body that cannot be parsed at all."""


def parse_form(text: str) -> dict[str, Any]:
    """Form or query text to nested dicts and lists, the way PHP reads it."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _PHP_KEY.match(key)
        if match is None or not match.group(2):
            _put_plain(result, key, value)
            continue
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        _put_nested(result, parts, value)
    return {k: _lists_from_indexed(v) for k, v in result.items()}


def _put_plain(target: dict[str, Any], key: str, value: str) -> None:
    if key not in target:
        target[key] = value
    elif isinstance(target[key], list):
        target[key].append(value)
    else:
        target[key] = [target[key], value]


def _put_nested(target: dict[str, Any], parts: list[str], value: str) -> None:
    node = target
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    last = parts[-1]
    if last == "":
        last = str(len(node))
    node[last] = value


def _lists_from_indexed(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {k: _lists_from_indexed(v) for k, v in value.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _is_json(media: str, text: str) -> bool:
    return media == "application/json" or (
        media != "application/x-www-form-urlencoded" and text[:1] in ("{", "[")
    )


def body_encoding(query: str, content_type: str, body: bytes) -> str:
    """How the parameters came: ``json`` or ``form`` (the body), else ``query`` or ``none``."""
    text = body.decode("utf-8", errors="replace").strip()
    if text:
        return "json" if _is_json(content_type.split(";", 1)[0].strip().lower(), text) else "form"
    return "query" if query else "none"


def parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Query parameters overlaid by the body's; body parsed by its Content-Type (or sniffed)."""
    params = parse_form(query) if query else {}
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return params
    media = content_type.split(";", 1)[0].strip().lower()
    if _is_json(media, text):
        try:
            parsed = loads(text, "the body")
        except json.JSONDecodeError as error:
            raise BadRequest(f"Invalid JSON body: {error.msg}") from None
        except ValueError as error:
            raise BadRequest(f"Invalid JSON body: {error}") from None
        if not isinstance(parsed, dict):
            raise BadRequest("The JSON body must be an object")
        params.update(parsed)
        return params
    params.update(parse_form(text))
    return params


def param_int(params: dict[str, Any], key: str) -> int | None:
    """An integer parameter given as a JSON number or a decimal string; None when absent."""
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{key} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise ValueError(f"{key} must be an integer")


def param_str(params: dict[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise ValueError(f"{key} must be a string")
    return str(value)


def param_str_list(params: dict[str, Any], key: str) -> list[str]:
    """A list of strings: a JSON array, repeated form keys, ``key[]=`` keys, or one value."""
    value = params.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if not isinstance(v, (dict, list))]
    if isinstance(value, dict):
        raise ValueError(f"{key} must be a list of strings")
    return [str(value)]


def param_bool(params: dict[str, Any], key: str) -> bool | None:
    """A boolean: JSON ``true``/``false`` or, form-encoded, ``true``/``false``/``1``/``0``."""
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise ValueError(f"{key} must be true or false")


def param_int_list(params: dict[str, Any], key: str) -> list[int] | None:
    """A list of integers (a JSON array, ``key[i]=`` or repeated form keys); ``key=`` (empty)
    is the empty list; None when absent."""
    if key not in params:
        return None
    value = params[key]
    if value == "" or value is None:
        return []
    items = value if isinstance(value, list) else [value]
    result = []
    for item in items:
        if isinstance(item, bool) or not (
            isinstance(item, int) or (isinstance(item, str) and re.fullmatch(r"\d+", item.strip()))
        ):
            raise ValueError(f"{key} must be a list of project ids")
        result.append(int(item))
    return result


def param_files(params: dict[str, Any], key: str = "files") -> list[tuple[str, str]] | None:
    """``files[i][name]`` / ``files[i][content]`` form keys (lean-cli), or a JSON list of
    ``{name, content}`` (older clients also said ``code``); None when absent."""
    value = params.get(key)
    if value is None:
        return None
    if value in ("", []):
        return []
    if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
        raise ValueError(f"{key} must be a list of files with name and content")
    files = []
    for item in value:
        content = item.get("content", item.get("code", ""))
        if not isinstance(item.get("name"), str) or isinstance(content, (dict, list)):
            raise ValueError(f"{key}: each file needs a name and a text content")
        files.append((item["name"], "" if content is None else str(content)))
    return files
