"""Every string the API takes is constrained in its OpenAPI document, so no operation can be sent a NUL character
(PostgreSQL refuses one: the request would fail with a 500 instead of a field error) or text without bounds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tabwise.api import api


def _strings(node: Any, where: str, components: dict[str, Any], seen: frozenset[str]) -> Iterator[tuple[str, dict]]:
    if isinstance(node, list):
        for item in node:
            yield from _strings(item, where, components, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _strings(components[name], f"{where} ({name})", components, seen | {name})
        return
    if node.get("type") == "string":
        yield where, node
    for name, child in node.get("properties", {}).items():
        yield from _strings(child, f"{where}.{name}", components, seen)
    for key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
        if key in node:
            yield from _strings(node[key], where, components, seen)


def input_strings() -> list[tuple[str, dict]]:
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                found += _strings(parameter.get("schema", {}), where, components, frozenset())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _strings(content["schema"], f"{method.upper()} {path} body", components, frozenset())
    return found


def test_the_api_takes_strings():
    assert len(input_strings()) > 50  # the walk reaches into request bodies, nested objects and query parameters


def _id(value: object) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize(("where", "schema"), input_strings(), ids=_id)
def test_every_string_an_operation_takes_is_constrained_and_refuses_nul(where, schema):
    assert {"pattern", "enum", "format", "const"} & schema.keys(), f"{where}: an unconstrained string"
    if "pattern" in schema and "format" not in schema:
        assert not re.search(schema["pattern"], "ab\x00cd"), f"{where}: the pattern lets a NUL character through"
