"""The API's OpenAPI 3.1 document, served at ``/api/openapi.json``.

Built from the same pydantic models the views validate requests with and build
answers from (``model_json_schema``: OpenAPI 3.1 takes JSON Schema 2020-12 as
is), plus this server's limits from its settings, so the document states what
this code accepts: when a model changes, the document changes with it. A test
runs schemathesis against it on the live service.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from service import copies, exports, openapi_parts, watches
from service.api import MAX_WAIT_SECONDS
from service.api_models import DeletedBody, ErrorBody, HealthBody, JobStatusBody, ReadyBody
from service.editor.review import ReviewedPassage, ReviewIn
from service.openapi_parts import json_content, path_parameter, ref
from workers.models import ARTICLE_ID_PATTERN, ArticleIn, Origins, StoredArticle
from workers.settings import Settings

blueprint = Blueprint("openapi", __name__)

# Answers built with exclude_none are described in validation mode, where
# fields with defaults are optional; full dumps in serialization mode.
MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (ArticleIn, "validation"),
    (StoredArticle, "serialization"),
    (Origins, "serialization"),
    (JobStatusBody, "validation"),
    (ErrorBody, "validation"),
    (DeletedBody, "serialization"),
    (HealthBody, "serialization"),
    (ReadyBody, "serialization"),
    (ReviewIn, "validation"),
    (ReviewedPassage, "serialization"),
    *((model, "serialization") for model in copies.MODELS + watches.MODELS),
    *((model, "validation") for model in watches.VALIDATION_MODELS),
]

ERROR_MEANINGS = {
    400: "The body is not UTF-8 or not a JSON object, or a parameter is malformed.",
    401: "No API key, or not a valid one.",
    403: "Review is off on this server (no editor token configured); the message says how "
    "to turn it on.",
    404: "No such article or job.",
    413: "Over a limit: body size, text length, paragraphs or sentences.",
    422: "A field is missing, of the wrong type or out of range; `problems` lists each.",
    429: "This key's write rate limit is reached; see `Retry-After`.",
    500: "The ingest job failed; it is in the failed registry (`wiretrace jobs failed`).",
    503: "Redis cannot be reached.",
}


def component_schemas(settings: Settings) -> dict[str, Any]:
    """JSON Schemas of every model, named as ``#/components/schemas/<Model>``."""
    refs, defs = models_json_schema(MODELS, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = defs["$defs"]
    article = schemas[refs[(ArticleIn, "validation")]["$ref"].rsplit("/", 1)[1]]
    article["properties"]["text"]["maxLength"] = settings.max_text_chars
    article["description"] = (
        f"{article.get('description', '')} The text may have at most "
        f"{settings.max_paragraphs} paragraphs (blocks between blank lines)."
    ).strip()
    return schemas


def errors(*codes: int) -> dict[str, Any]:
    return openapi_parts.errors(*codes, meanings=ERROR_MEANINGS)


def operations(settings: Settings) -> dict[str, Any]:
    """Every path and method the API serves."""
    keyed: list[dict[str, list[str]]] = [{"bearer": []}]
    read_security = keyed if settings.read_requires_key else []
    read_errors = (401, 503) if settings.read_requires_key else (503,)
    article_id = path_parameter(
        "article_id", ARTICLE_ID_PATTERN, "The id the article was submitted with."
    )
    return {
        **copies.openapi_paths(read_security, read_errors),
        **watches.openapi_paths(),
        **exports.openapi_paths(read_security, read_errors),
        "/api/articles": {
            "post": {
                "summary": "Submit an article; get its origins",
                "description": (
                    "Queues the article for ingestion and waits up to `wait` seconds for "
                    "its origins. Bodies over "
                    f"{settings.max_body_bytes} bytes are refused with 413."
                ),
                "security": keyed,
                "parameters": [
                    {
                        "name": "wait",
                        "in": "query",
                        "required": False,
                        "description": "Seconds to wait for the origins (default "
                        f"{settings.default_wait_seconds}); 0 answers 202 at once.",
                        "schema": {"type": "number", "minimum": 0, "maximum": MAX_WAIT_SECONDS},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref(ArticleIn)}},
                },
                "responses": {
                    "200": json_content(Origins, "The article's origins."),
                    "202": {
                        **json_content(JobStatusBody, "Queued; poll the job."),
                        "headers": {
                            "Location": {
                                "description": "The job's URL.",
                                "schema": {"type": "string"},
                            }
                        },
                    },
                    **errors(400, 401, 413, 422, 429, 500, 503),
                },
            }
        },
        "/api/articles/{article_id}": {
            "parameters": [article_id],
            "get": {
                "summary": "The article as stored",
                "security": read_security,
                "responses": {
                    "200": json_content(StoredArticle, "The article."),
                    **errors(404, *read_errors),
                },
            },
            "delete": {
                "summary": "Take an article down",
                "description": "Removes its text, fingerprints and passages; the articles "
                "that shared passages with it no longer list it.",
                "security": keyed,
                "responses": {
                    "200": json_content(DeletedBody, "Deleted."),
                    **errors(401, 404, 429, 503),
                },
            },
        },
        "/api/articles/{article_id}/origins": {
            "parameters": [article_id],
            "get": {
                "summary": "The article's origins, from the current index",
                "security": read_security,
                "responses": {
                    "200": json_content(Origins, "The origins record."),
                    **errors(404, *read_errors),
                },
            },
        },
        "/api/articles/{article_id}/reviews": {
            "parameters": [article_id],
            "post": {
                "summary": "Mark a shared passage confirmed or false positive",
                "description": "An editor's judgement of the passage the article shares with "
                "`source_id` at `start`-`end` (its offsets in the article); `status` null "
                "clears it. Stored on both sides of the match and shown as the passage's "
                "`review` in both origins records; a false positive stops counting towards "
                "`reused_fraction` and the verdicts.",
                "security": keyed,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref(ReviewIn)}},
                },
                "responses": {
                    "200": json_content(ReviewedPassage, "The passage as marked."),
                    **errors(400, 401, 403, 404, 422, 429, 503),
                },
            },
        },
        "/api/jobs/{job_id}": {
            "parameters": [path_parameter("job_id", "^[A-Za-z0-9_-]{1,128}$", "An ingest job.")],
            "get": {
                "summary": "An ingest job's state",
                "security": read_security,
                "responses": {
                    "200": json_content(JobStatusBody, "The job."),
                    **errors(404, *read_errors),
                },
            },
        },
        "/healthz": {
            "get": {
                "summary": "The web process is up",
                "security": [],
                "responses": {"200": json_content(HealthBody, "Up.")},
            }
        },
        "/readyz": {
            "get": {
                "summary": "Redis reachable, workers alive, queue not backed up",
                "security": [],
                "responses": {
                    "200": json_content(ReadyBody, "Ready."),
                    "503": json_content(ReadyBody, "Not ready; `checks` says why."),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "security": read_security,
                "responses": {
                    "200": {
                        "description": "Prometheus text format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    **errors(*read_errors),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def build_document(settings: Settings) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "wiretrace",
            "version": "1",
            "description": "Which passages of a news article were written elsewhere first, "
            "by whom, and who else ran the same text.",
        },
        "paths": operations(settings),
        "components": {
            "schemas": component_schemas(settings),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@blueprint.get("/api/openapi.json")
def openapi_document() -> ResponseReturnValue:
    from service.api import services

    if "wiretrace_openapi" not in current_app.extensions:
        current_app.extensions["wiretrace_openapi"] = build_document(services().settings)
    return jsonify(current_app.extensions["wiretrace_openapi"])
