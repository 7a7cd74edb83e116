"""The config JSON Schema (schemas/qcsync.schema.json) and a fast yes/no check compiled from it.

The schema is the one source of structural rules; this module loads it once and compiles the
closures that let valid files skip jsonschema. No I/O beyond reading the packaged schema.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


def schema_text() -> str:
    """The config JSON Schema exactly as shipped, for `qcsync schema`."""
    return (importlib.resources.files("qcsync") / "schemas" / "qcsync.schema.json").read_text(
        encoding="utf-8"
    )


@functools.cache
def cached_schema() -> Mapping[str, Any]:
    return cast(dict[str, Any], json.loads(schema_text()))


def load_schema() -> dict[str, Any]:
    """A fresh copy of the config JSON Schema."""
    return cast(dict[str, Any], json.loads(schema_text()))


@functools.cache
def validator() -> Draft202012Validator:
    # Built once: checking the schema and resolving its $refs is the expensive part. Imported
    # here: jsonschema costs ~80 ms of start-up, and a valid file never needs it.
    from jsonschema import Draft202012Validator

    schema = cached_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# --- a fast yes/no check compiled from the schema ---------------------------------------------
#
# jsonschema needs about 60 microseconds per project, three seconds for a 50,000-project file.
# Most files are valid, so a yes/no answer is compiled from the same schema into plain closures
# (a few microseconds per project); jsonschema runs only on the parts that answer no, to say
# why. The compiler knows a handful of keywords and refuses any other, so a schema change it
# does not understand falls back to jsonschema alone rather than to a wrong answer.

Check = Callable[[Any], bool]
_ANNOTATIONS: Final = frozenset(
    ["$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default"]
)


# Types whose JSON meaning is exactly one Python type (booleans are ints in Python, and JSON
# integers include 1.0, so those two go through _is_json_type).
_PYTHON_TYPES: Final[Mapping[str, type]] = {"string": str, "array": list, "object": dict}


class _Unsupported(Exception):
    pass


def _equal(one: Any, other: Any) -> bool:
    if isinstance(one, bool) or isinstance(other, bool):
        return type(one) is type(other) and one == other
    return bool(one == other)


def _isjson_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return json_type(value) == kind


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compile(schema: Any, root: Mapping[str, Any]) -> Check:
    """A function telling whether a value is valid under `schema`; never says yes wrongly."""
    if schema is True:
        return lambda value: True
    if not isinstance(schema, dict):
        raise _Unsupported(repr(schema))
    fused = _compile_object(schema, root)
    if fused is not None:
        return fused
    checks = [
        _compile_keyword(keyword, argument, schema, root)
        for keyword, argument in schema.items()
        if keyword not in _ANNOTATIONS
    ]
    if len(checks) == 1:
        return checks[0]

    def check_all(value: Any) -> bool:
        # A plain loop: all() over a generator costs a frame per call on this hot path.
        for check in checks:  # noqa: SIM110
            if not check(value):
                return False
        return True

    return check_all


_OBJECT_KEYWORDS: Final = frozenset(["type", "required", "properties", "additionalProperties"])


def _compile_object(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Check | None:
    """The usual object schema (type, required, properties, additionalProperties) as one
    closure: each key is looked up once, not once per keyword. None for any other schema."""
    keywords = schema.keys() - _ANNOTATIONS
    if schema.get("type") != "object" or not keywords <= _OBJECT_KEYWORDS:
        return None
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    extra = schema.get("additionalProperties", True)
    if not isinstance(properties, dict) or not isinstance(required, list):
        raise _Unsupported("properties")
    fields = {name: _compile(sub, root) for name, sub in properties.items()}
    # What checks a key that `properties` does not name: nothing (None), or a schema.
    other: Check | None = None if extra is True else _compile_extra(extra, root)
    names = tuple(required)

    def check_object(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name in names:
            if name not in value:
                return False
        for key, item in value.items():
            check = fields.get(key, other)
            if check is not None and not check(item):
                return False
        return True

    return check_object


def _compile_extra(extra: Any, root: Mapping[str, Any]) -> Check:
    if extra is False:
        return lambda value: False
    return _compile(extra, root)


def _compile_keyword(keyword: str, argument: Any, schema: Mapping[str, Any], root: Any) -> Check:
    if keyword == "$ref" and isinstance(argument, str) and argument.startswith("#/"):
        target: Any = root
        for part in argument[2:].split("/"):
            target = target[part]
        return _compile(target, root)
    if keyword == "type" and isinstance(argument, str) and argument in _PYTHON_TYPES:
        python_type = _PYTHON_TYPES[argument]
        return lambda value: isinstance(value, python_type)
    if keyword == "type" and argument == "integer":
        return lambda value: _isjson_type(value, "integer")
    if keyword == "type":
        kinds = [argument] if isinstance(argument, str) else list(argument)
        return lambda value: any(_isjson_type(value, kind) for kind in kinds)
    if keyword == "enum" and all(isinstance(option, str) for option in argument):
        texts = frozenset(argument)  # only a string equals a string
        return lambda value: isinstance(value, str) and value in texts
    if keyword == "enum":
        return lambda value: any(_equal(value, option) for option in argument)
    if keyword == "const" and isinstance(argument, str):
        return lambda value: isinstance(value, str) and value == argument
    if keyword == "const":
        return lambda value: _equal(value, argument)
    if keyword == "minimum":
        return lambda value: not _is_number(value) or value >= argument
    if keyword == "maximum":
        return lambda value: not _is_number(value) or value <= argument
    if keyword == "minLength":
        return lambda value: not isinstance(value, str) or len(value) >= argument
    if keyword == "minItems":
        return lambda value: not isinstance(value, list) or len(value) >= argument
    if keyword == "required":
        return lambda value: not isinstance(value, dict) or all(k in value for k in argument)
    if keyword == "properties":
        fields = {name: _compile(sub, root) for name, sub in argument.items()}

        def check_properties(value: Any) -> bool:
            if isinstance(value, dict):
                for key, item in value.items():
                    check = fields.get(key)
                    if check is not None and not check(item):
                        return False
            return True

        return check_properties
    if (
        keyword == "additionalProperties"
        and argument is False
        and "patternProperties" not in schema
    ):
        known = frozenset(schema.get("properties", {}))
        return lambda value: not isinstance(value, dict) or known.issuperset(value)
    if (
        keyword == "additionalProperties"
        and isinstance(argument, dict)
        and "patternProperties" not in schema
    ):
        known = frozenset(schema.get("properties", {}))
        other = _compile(argument, root)

        def check_others(value: Any) -> bool:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key not in known and not other(item):
                        return False
            return True

        return check_others
    if keyword == "items":
        item = _compile(argument, root)

        def check_items(value: Any) -> bool:
            if isinstance(value, list):
                for element in value:
                    if not item(element):
                        return False
            return True

        return check_items
    if keyword == "anyOf":
        branches = [_compile(sub, root) for sub in argument]

        def check_any(value: Any) -> bool:
            for branch in branches:  # noqa: SIM110 - no generator frame on the hot path
                if branch(value):
                    return True
            return False

        return check_any
    raise _Unsupported(keyword)


@functools.cache
def fast_checks() -> tuple[Check, Check] | None:
    """(whole document, one `projects` item) checks, or None if the schema is beyond them."""
    schema = cached_schema()
    try:
        return _compile(schema, schema), _compile(schema["$defs"]["project"], schema)
    except (_Unsupported, KeyError, TypeError):
        return None


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
