"""Exports over the API: ``GET /api/export/<passages|clusters|network>`` with
``format=jsonl|csv|gexf``, ``since``, ``until``, ``outlet`` (and ``wires=true``
for the network), streamed as it is read: memory stays bounded at any size."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, stream_with_context
from flask.typing import ResponseReturnValue

from service.api import services
from service.copies import parse_time
from service.errors import ApiError
from service.openapi_parts import errors
from workers.export import ExportFilter
from workers.export.run import FORMATS, KINDS, MEDIA_TYPES, ExportError, export_lines

blueprint = Blueprint("exports", __name__)


@blueprint.get("/api/export/<kind>")
def export(kind: str) -> ResponseReturnValue:
    if kind not in KINDS:
        raise ApiError(404, f"no export {kind!r}: choose one of {', '.join(KINDS)}")
    fmt = request.args.get("format", "jsonl")
    if fmt not in FORMATS:
        raise ApiError(400, f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    wires = request.args.get("wires", "false")
    if wires not in ("true", "false"):
        raise ApiError(400, f"wires must be true or false, got {wires!r}")
    where = ExportFilter(
        since=parse_time("since", request.args.get("since"), end_of_day=False),
        until=parse_time("until", request.args.get("until"), end_of_day=True),
        outlet=request.args.get("outlet") or None,
    )
    try:
        lines = export_lines(services().store, kind, fmt, where, wires=wires == "true")
    except ExportError as exc:
        raise ApiError(400, str(exc)) from exc
    extension = {"jsonl": "jsonl", "csv": "csv", "gexf": "gexf"}[fmt]
    return Response(
        stream_with_context(lines),
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="wiretrace-{kind}.{extension}"'},
    )


def openapi_paths(read_security: list[Any], read_errors: tuple[int, ...]) -> dict[str, Any]:
    """This module's paths for the OpenAPI document (:mod:`service.openapi`)."""
    query = [
        (
            "format",
            "jsonl (one JSON record a line, the default), csv, or gexf (network only).",
            {"type": "string", "enum": list(FORMATS)},
        ),
        ("since", "From this ISO 8601 date or date-time.", {"type": "string"}),
        ("until", "To this date (its end) or date-time.", {"type": "string"}),
        ("outlet", "Only what involves this outlet.", {"type": "string"}),
        (
            "wires",
            "network: add the wires as nodes.",
            {"type": "string", "enum": ["true", "false"]},
        ),
    ]
    return {
        "/api/export/{kind}": {
            "parameters": [
                {
                    "name": "kind",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(KINDS)},
                }
            ],
            "get": {
                "summary": "Passages, clusters or the outlet network, as data",
                "description": "Passages: each shared passage once, offsets in both texts, its "
                "kind and its cluster's stable number. Clusters: their articles and origin. "
                "Network: who copies whom among outlets, weighted by copying articles and "
                "characters. Streamed.",
                "security": read_security,
                "parameters": [
                    {"name": n, "in": "query", "required": False, "description": d, "schema": s}
                    for n, d, s in query
                ],
                "responses": {
                    "200": {
                        "description": "The export, streamed.",
                        "content": {
                            media: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()
                        },
                    },
                    **errors(400, 404, *read_errors),
                },
            },
        }
    }
