"""The copies lists over the API: the articles that took copy from an outlet or a
wire, credited or not, as JSON or CSV.

``GET /api/outlets/<name>/copies`` and ``GET /api/wires/<name>/copies``, with
``credited=false|true``, ``copier_outlet``, ``since``/``until`` (the copier's time), ``sort=share``
(share copied, the default) or ``time``, ``limit``/``offset``, ``format=csv``.
The lists are kept at ingest (:mod:`workers.store.copies`): a page is a range
read, whatever the index's size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field

from service.api import services
from service.errors import ApiError
from service.openapi_parts import errors, json_content
from workers.store.copies import ArticleMeta, CopyQuery, CopyRow, TargetKind

blueprint = Blueprint("copies", __name__)

MAX_LIMIT = 1000
DEFAULT_LIMIT = 50


class ArticleRef(BaseModel):
    """An article as a copies list names it."""

    id: str
    outlet: str | None
    url: str | None
    title: str | None
    published_at: datetime | None


class CopyEntry(BaseModel):
    """One article that took copy, from whom, how much, and whether it said so."""

    article: ArticleRef = Field(description="The copying article.")
    source: ArticleRef | None = Field(
        description="The article it took the copy from (for wire copy: the other carrier it "
        "was found through); null if deleted since."
    )
    wire: str | None = Field(description="The wire, for wire copy.")
    reused_fraction: float = Field(description="Share of the copying article's own text copied.")
    verbatim_fraction: float | None = Field(description="The part of it taken word for word.")
    credited: bool
    credit: Literal["link", "line", "wire", "name"] | None = Field(
        description="How it credits the source: a link to its URL, a 'Source:'/'via' line, "
        "the wire's credit, or the outlet's name."
    )
    compare_url: str | None = Field(description="The editor's side-by-side comparison.")


class CopiesPage(BaseModel):
    """A page of an outlet's or a wire's copies."""

    outlet: str | None = None
    wire: str | None = None
    total: int = Field(description="Copies matching the filters, on every page.")
    offset: int
    limit: int
    copies: list[CopyEntry]
    next: str | None = Field(description="The next page, if there is one.")


def parse_time(name: str, raw: str | None, *, end_of_day: bool) -> float | None:
    """An ISO 8601 date-time (UTC if no offset) or a date, as epoch seconds; a bare
    date as ``until`` means the end of that day."""
    if raw is None or raw == "":
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime.combine(day, time.max if end_of_day else time.min, UTC)
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ApiError(
            400, f"{name} must be an ISO 8601 date (2026-03-02) or date-time, got {raw!r}"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(400, f"{name} must be a whole number, got {raw!r}") from exc
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}, got {value}")
    return value


def copy_query(kind: TargetKind, name: str, args: Mapping[str, str]) -> CopyQuery:
    """The query the request's arguments ask for, or a 400 saying what is wrong."""
    credited_raw = args.get("credited")
    credited = {"true": True, "false": False, None: None, "": None}.get(credited_raw, "bad")
    if credited == "bad":
        raise ApiError(400, f"credited must be true or false, got {credited_raw!r}")
    sort = args.get("sort", "share")
    if sort not in ("share", "time"):
        raise ApiError(400, f"sort must be share or time, got {sort!r}")
    since = parse_time("since", args.get("since"), end_of_day=False)
    until = parse_time("until", args.get("until"), end_of_day=True)
    if since is not None and until is not None and since > until:
        raise ApiError(400, "since is after until")
    return CopyQuery(
        kind=kind,
        name=name,
        credited=credited,  # type: ignore[arg-type]
        copier_outlet=args.get("copier_outlet") or None,
        since=since,
        until=until,
        sort=sort,  # type: ignore[arg-type]
        offset=parse_int("offset", args.get("offset"), 0, 0, 10**9),
        limit=parse_int("limit", args.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
    )


def article_ref(meta: ArticleMeta) -> ArticleRef:
    return ArticleRef(
        id=meta.id,
        outlet=meta.outlet,
        url=meta.url,
        title=meta.title,
        published_at=meta.published_at,
    )


def copy_entry(row: CopyRow) -> CopyEntry:
    compare = (
        url_for("editor.compare", left_id=row.copier.id, right_id=row.source.id)
        if row.source is not None
        else None
    )
    return CopyEntry(
        article=article_ref(row.copier),
        source=article_ref(row.source) if row.source else None,
        wire=row.wire,
        reused_fraction=row.reused_fraction,
        verbatim_fraction=row.verbatim_fraction,
        credited=row.credited,
        credit=row.credit,  # type: ignore[arg-type]
        compare_url=compare,
    )


CSV_COLUMNS = (
    "article_id",
    "article_outlet",
    "article_url",
    "article_published_at",
    "source_id",
    "source_outlet",
    "source_url",
    "source_published_at",
    "wire",
    "reused_fraction",
    "verbatim_fraction",
    "credited",
    "credit",
)


def csv_lines(entries: list[CopyEntry]) -> Iterator[str]:
    """The CSV header and one line an entry."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    def stamp(moment: datetime | None) -> str:
        return moment.isoformat() if moment else ""

    yield line(list(CSV_COLUMNS))
    for e in entries:
        s = e.source
        yield line(
            [
                e.article.id,
                e.article.outlet or "",
                e.article.url or "",
                stamp(e.article.published_at),
                s.id if s else "",
                (s.outlet or "") if s else "",
                (s.url or "") if s else "",
                stamp(s.published_at) if s else "",
                e.wire or "",
                e.reused_fraction,
                "" if e.verbatim_fraction is None else e.verbatim_fraction,
                "true" if e.credited else "false",
                e.credit or "",
            ]
        )


def copies_page(kind: TargetKind, name: str) -> ResponseReturnValue:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ApiError(400, f"format must be json or csv, got {fmt!r}")
    query = copy_query(kind, name, request.args)
    total, rows = services().store.list_copies(query)
    entries = [copy_entry(r) for r in rows]
    if fmt == "csv":
        filename = f"copies-{'outlet' if kind == 'o' else 'wire'}.csv"
        return Response(
            csv_lines(entries),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "X-Total-Count": str(total),
            },
        )
    following = query.offset + query.limit
    endpoint = "copies.outlet_copies" if kind == "o" else "copies.wire_copies"
    arguments: dict[str, Any] = {**request.args, "name": name, "offset": str(following)}
    next_url = url_for(endpoint, **arguments) if following < total else None
    page = CopiesPage(
        outlet=name if kind == "o" else None,
        wire=name if kind == "w" else None,
        total=total,
        offset=query.offset,
        limit=query.limit,
        copies=entries,
        next=next_url,
    )
    return jsonify(page.model_dump(mode="json", exclude_none=False))


@blueprint.get("/api/outlets/<path:name>/copies")
def outlet_copies(name: str) -> ResponseReturnValue:
    """The articles that took copy from articles of outlet ``name``."""
    return copies_page("o", name)


@blueprint.get("/api/wires/<path:name>/copies")
def wire_copies(name: str) -> ResponseReturnValue:
    """The articles that carry wire ``name``'s copy."""
    return copies_page("w", name)


MODELS: list[type[BaseModel]] = [CopiesPage]


# What a name in a route may hold: werkzeug matches no route for one with a "/" or a
# control character (a line break among them).
NAME_PATTERN = r"^[^/\x00-\x1f\x7f]+$"


def openapi_paths(read_security: list[Any], read_errors: tuple[int, ...]) -> dict[str, Any]:
    """This module's paths for the OpenAPI document (:mod:`service.openapi`)."""
    parameters = [
        {
            "name": "credited",
            "in": "query",
            "required": False,
            "description": "false: only copies that do not credit the source; true: only those "
            "that do.",
            "schema": {"type": "string", "enum": ["true", "false"]},
        },
        {
            "name": "copier_outlet",
            "in": "query",
            "required": False,
            "description": "Only the copies this outlet's articles made (one edge of the network).",
            "schema": {"type": "string"},
        },
        {
            "name": "since",
            "in": "query",
            "required": False,
            "description": "Copies published at or after this ISO 8601 date or date-time (UTC "
            "unless it says otherwise).",
            "schema": {"type": "string"},
        },
        {
            "name": "until",
            "in": "query",
            "required": False,
            "description": "Copies published at or before this date (to its end) or date-time.",
            "schema": {"type": "string"},
        },
        {
            "name": "sort",
            "in": "query",
            "required": False,
            "description": "share (share copied, highest first; the default) or time (newest "
            "first).",
            "schema": {"type": "string", "enum": ["share", "time"]},
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "maximum": 10**9},
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "json (the default) or csv (the same page, one copy a line).",
            "schema": {"type": "string", "enum": ["json", "csv"]},
        },
    ]

    def operation(what: str) -> dict[str, Any]:
        page = json_content(CopiesPage, f"A page of the {what}'s copies.")
        page["content"]["text/csv"] = {"schema": {"type": "string"}}
        return {
            "parameters": [
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "description": f"The {what}'s name (no '/' and no control characters: "
                    "the address of a name holding one matches no route, 404).",
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "pattern": r"^[^/\x00-\x1f\x7f]+$",
                    },
                }
            ],
            "get": {
                "summary": f"Articles that took copy from a{'n' if what == 'outlet' else ''} "
                f"{what}",
                "description": "Sorted by share copied; each says whether it credits the "
                "source and how. Kept at ingest.",
                "security": read_security,
                "parameters": parameters,
                "responses": {"200": page, **errors(400, 404, *read_errors)},
            },
        }

    return {
        "/api/outlets/{name}/copies": operation("outlet"),
        "/api/wires/{name}/copies": operation("wire"),
    }
