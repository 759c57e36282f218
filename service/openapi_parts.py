"""Pieces of the OpenAPI document that the modules describing their own paths
(:mod:`service.copies`, :mod:`service.watches`) build with, kept apart from
:mod:`service.openapi` so that it can import those modules without a circle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from service.api_models import ErrorBody

ERRORS = {
    400: "A parameter or the body is malformed; the message says which and why.",
    401: "No API key, or not a valid one.",
    404: "Not found; the message says what.",
    413: "The body is over the limit.",
    422: "A field is missing, of the wrong type or out of range; `problems` lists each.",
    429: "This key's write rate limit is reached; see `Retry-After`.",
    503: "Redis cannot be reached.",
}


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def json_content(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(model)}}}


def errors(*codes: int, meanings: Mapping[int, str] = ERRORS) -> dict[str, Any]:
    """The error answers ``codes``, each described by ``meanings``."""
    return {str(code): json_content(ErrorBody, meanings[code]) for code in codes}


def path_parameter(name: str, pattern: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": pattern},
    }
