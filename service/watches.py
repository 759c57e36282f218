"""Watches over the API: a key holder asks to hear when copy is taken from an
outlet, a wire or one article, by webhook and as an Atom feed.

- ``POST /api/watches`` ``{"outlet"|"wire"|"article": ..., "url"?, "secret"?,
  "min_reused_fraction"?, "uncredited_only"?}`` -> 201 with the watch, its
  ``secret`` (made up when none is given; shown this once) and ``feed_url``;
- ``GET /api/watches`` (the key's own), ``GET``/``DELETE /api/watches/<id>``;
- ``GET /api/watches/<id>/deliveries``: every attempt and its outcome;
- ``GET /api/watches/<id>/feed``: the events as Atom, for the key's holder or
  anyone holding the feed's token (``feed_url`` carries it: feed readers send
  no API keys).

Every watch endpoint needs a key, reads included: a watch belongs to the key
that made it, and another key sees no trace of it (404).
"""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import Blueprint, Response, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)

from service.api import read_body, services
from service.auth import authenticate, key_id
from service.errors import ApiError
from service.openapi_parts import errors, json_content, path_parameter, ref
from workers.jobs.deliver import webhook_url_problem
from workers.models import ARTICLE_ID_PATTERN, HTTP_URL_SCHEMA_PATTERN
from workers.store.watches import Watch

blueprint = Blueprint("watches", __name__)

WATCH_ID_PATTERN = r"^w_[0-9a-f]{16}$"
FEED_ENTRIES = 100
FEED_ENDPOINT = "watches.watch_feed"


class WatchIn(BaseModel):
    """A watch to create: exactly one of ``outlet``, ``wire``, ``article``."""

    model_config = ConfigDict(extra="forbid")

    outlet: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    wire: Annotated[StrictStr, Field(min_length=1, max_length=100)] | None = None
    article: Annotated[StrictStr, Field(pattern=ARTICLE_ID_PATTERN)] | None = None
    url: (
        Annotated[
            StrictStr,
            Field(
                max_length=2048,
                pattern=HTTP_URL_SCHEMA_PATTERN,
                description="Webhook: each event is POSTed here as JSON. None: feed only.",
            ),
        ]
        | None
    ) = None
    secret: (
        Annotated[
            StrictStr,
            Field(
                min_length=16,
                max_length=200,
                description="Key of the HMAC-SHA256 signature; made up when not given.",
            ),
        ]
        | None
    ) = None
    min_reused_fraction: Annotated[float, Field(ge=0, le=1, strict=True)] = 0.0
    uncredited_only: StrictBool = False

    @model_validator(mode="after")
    def _one_target(self) -> WatchIn:
        named = [n for n in ("outlet", "wire", "article") if getattr(self, n) is not None]
        if len(named) != 1:
            raise ValueError(
                "give exactly one of outlet, wire or article"
                + (f" (got {', '.join(named)})" if named else "")
            )
        return self


class WatchOut(BaseModel):
    """A watch as its key holder reads it (its secret is shown only at creation)."""

    id: str
    outlet: str | None
    wire: str | None
    article: str | None
    url: str | None
    min_reused_fraction: float
    uncredited_only: bool
    created_at: datetime
    disabled: bool
    disabled_reason: str | None = Field(description="Why deliveries stopped, if they did.")
    disabled_at: datetime | None
    events: int = Field(description="Events recorded and kept.")
    feed_url: str
    deliveries_url: str


class WatchCreated(WatchOut):
    secret: str = Field(description="Signs every delivery; not shown again.")


class WatchList(BaseModel):
    watches: list[WatchOut]


class Delivery(BaseModel):
    """One attempt to deliver an event."""

    event: str
    attempt: int
    at: datetime
    url: str
    status: int | None = Field(description="The receiver's HTTP status; null: no answer.")
    ok: bool
    seconds: float
    detail: str | None = Field(description="What went wrong, when it did.")
    final: bool = Field(description="No further attempt follows for this event.")


class DeliveryList(BaseModel):
    watch: str
    disabled: bool
    disabled_reason: str | None
    deliveries: list[Delivery]


class WatchDeleted(BaseModel):
    deleted: str


def owner() -> str:
    """The short id of the request's API key (authenticating reads too)."""
    key_hash = g.get("key_hash") or authenticate(services().settings)
    g.key_hash = key_hash
    return key_id(key_hash)


def own_watch(watch_id: str) -> Watch:
    watch = services().store.get_watch(watch_id)
    if watch is None or watch.owner != owner():
        raise ApiError(404, f"no watch {watch_id!r} of this key")
    return watch


def watch_out(watch: Watch) -> dict[str, Any]:
    store = services().store
    body = WatchOut(
        id=watch.id,
        outlet=watch.outlet,
        wire=watch.wire,
        article=watch.article,
        url=watch.url,
        min_reused_fraction=watch.min_reused_fraction,
        uncredited_only=watch.uncredited_only,
        created_at=watch.created_at,
        disabled=watch.disabled,
        disabled_reason=watch.disabled_reason,
        disabled_at=watch.disabled_at,
        events=store.event_count(watch.id),
        feed_url=url_for(FEED_ENDPOINT, watch_id=watch.id, token=watch.feed_token),
        deliveries_url=url_for("watches.watch_deliveries", watch_id=watch.id),
    )
    return body.model_dump(mode="json")


def parse_watch(raw: bytes) -> WatchIn:
    """The request body as a watch to create, or a 400/422 saying what is wrong."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ApiError(400, f"request body is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object describing one watch")
    try:
        return WatchIn.model_validate(data)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(map(str, e["loc"])) or "(body)", "problem": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        raise ApiError(422, f"invalid watch: {summary}", problems=problems) from exc


@blueprint.post("/api/watches")
def create_watch() -> ResponseReturnValue:
    """Create a watch; 201 with it and its secret."""
    svc = services()
    wanted = parse_watch(read_body(64 * 1024))
    if wanted.url is not None:
        problem = webhook_url_problem(wanted.url, svc.settings)
        if problem is not None:
            raise ApiError(
                422, f"invalid watch: {problem}", problems=[{"field": "url", "problem": problem}]
            )
    watch = Watch(
        id=f"w_{secrets.token_hex(8)}",
        owner=owner(),
        outlet=wanted.outlet,
        wire=wanted.wire,
        article=wanted.article,
        url=wanted.url,
        secret=wanted.secret or secrets.token_urlsafe(32),
        feed_token=secrets.token_urlsafe(24),
        min_reused_fraction=wanted.min_reused_fraction,
        uncredited_only=wanted.uncredited_only,
        created_at=datetime.now(UTC),
    )
    svc.store.save_watch(watch)
    body = WatchCreated(**watch_out(watch), secret=watch.secret)
    location = url_for("watches.get_watch", watch_id=watch.id)
    return jsonify(body.model_dump(mode="json")), 201, {"Location": location}


@blueprint.get("/api/watches")
def list_watches() -> ResponseReturnValue:
    watches = services().store.watches_of(owner())
    return jsonify({"watches": [watch_out(w) for w in watches]})


@blueprint.get("/api/watches/<watch_id>")
def get_watch(watch_id: str) -> ResponseReturnValue:
    return jsonify(watch_out(own_watch(watch_id)))


@blueprint.delete("/api/watches/<watch_id>")
def delete_watch(watch_id: str) -> ResponseReturnValue:
    watch = own_watch(watch_id)
    services().store.delete_watch(watch)
    return jsonify(WatchDeleted(deleted=watch.id).model_dump(mode="json"))


@blueprint.get("/api/watches/<watch_id>/deliveries")
def watch_deliveries(watch_id: str) -> ResponseReturnValue:
    watch = own_watch(watch_id)
    attempts = services().store.deliveries(watch.id)
    body = DeliveryList(
        watch=watch.id,
        disabled=watch.disabled,
        disabled_reason=watch.disabled_reason,
        deliveries=[Delivery.model_validate(a) for a in attempts],
    )
    return jsonify(body.model_dump(mode="json"))


@blueprint.get("/api/watches/<watch_id>/feed")
def watch_feed(watch_id: str) -> ResponseReturnValue:
    """The watch's latest events as an Atom feed."""
    store = services().store
    token = request.args.get("token")
    watch = store.get_watch(watch_id)
    if token is not None:
        if watch is None or not hmac.compare_digest(token, watch.feed_token):
            raise ApiError(404, f"no watch {watch_id!r} with that feed token")
    else:
        watch = own_watch(watch_id)
    events = store.feed_events(watch.id, FEED_ENTRIES)
    return Response(atom_feed(watch, events), mimetype="application/atom+xml")


def describe(body: dict[str, Any]) -> str:
    """An event in one line, as a feed entry's title."""
    article, source = body["article"], body["source"]
    taken = f"{body['reused_fraction']:.0%}"
    whence = f"{body['wire']} copy" if body["wire"] else f"{source['outlet'] or source['id']}"
    credit = "credited" if body["credited"] else "uncredited"
    return f"{article['outlet'] or article['id']} ran {taken} from {whence} ({credit})"


def atom_feed(watch: Watch, events: list[dict[str, Any]]) -> bytes:
    """Atom 1.0 of ``events`` (newest first), made with feedgen."""
    from feedgen.feed import FeedGenerator

    kind, name = watch.target
    what = {"o": "outlet", "w": "wire", "a": "article"}[kind]
    feed = FeedGenerator()
    feed.id(f"urn:wiretrace:watch:{watch.id}")
    feed.title(f"wiretrace: copies of {what} {name}")
    feed.author({"name": "wiretrace"})
    feed.link(href=request.url, rel="self")
    feed.generator("wiretrace")
    newest = events[0]["created_at"] if events else watch.created_at.timestamp()
    feed.updated(datetime.fromtimestamp(newest, UTC))
    for record in events:
        body = record["body"]
        entry = feed.add_entry(order="append")
        entry.id(f"urn:wiretrace:event:{body['id']}")
        entry.title(describe(body))
        stamp = datetime.fromtimestamp(record["created_at"], UTC)
        entry.updated(stamp)
        entry.published(stamp)
        if body["article"]["url"]:
            entry.link(href=body["article"]["url"], rel="alternate")
        entry.link(href=body["origins_url"], rel="related")
        entry.category(term="credited" if body["credited"] else "uncredited")
        entry.content(json.dumps(body, indent=1, ensure_ascii=False), type="text")
    result: bytes = feed.atom_str(pretty=True)
    return result


MODELS: list[type[BaseModel]] = [WatchCreated, WatchList, DeliveryList, WatchDeleted]
VALIDATION_MODELS: list[type[BaseModel]] = [WatchIn]


def openapi_paths() -> dict[str, Any]:
    """This module's paths for the OpenAPI document (:mod:`service.openapi`)."""
    keyed: list[dict[str, list[str]]] = [{"bearer": []}]
    watch_id = path_parameter("watch_id", WATCH_ID_PATTERN, "A watch of this key.")
    not_found = errors(404)
    return {
        "/api/watches": {
            "post": {
                "summary": "Watch an outlet, a wire or an article for copies",
                "description": "Each copy taken from what the watch covers, found as articles "
                "are ingested, becomes an event: POSTed as JSON to `url` (signed: "
                "`X-Wiretrace-Signature: sha256=<hex HMAC-SHA256 of the body keyed with the "
                "secret>`), retried with backoff, and listed in the watch's Atom feed. A `url` "
                "whose host resolves to a loopback, private or link-local address is refused "
                "unless the server allows them.",
                "security": keyed,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref(WatchIn)}},
                },
                "responses": {
                    "201": {
                        **json_content(WatchCreated, "Created; the secret is shown this once."),
                        "headers": {
                            "Location": {"description": "The watch.", "schema": {"type": "string"}}
                        },
                    },
                    **errors(400, 401, 413, 422, 429, 503),
                },
            },
            "get": {
                "summary": "This key's watches",
                "security": keyed,
                "responses": {
                    "200": json_content(WatchList, "The watches."),
                    **errors(401, 503),
                },
            },
        },
        "/api/watches/{watch_id}": {
            "parameters": [watch_id],
            "get": {
                "summary": "A watch",
                "security": keyed,
                "responses": {
                    "200": json_content(WatchOut, "The watch."),
                    **not_found,
                    **errors(401, 503),
                },
            },
            "delete": {
                "summary": "Stop watching",
                "security": keyed,
                "responses": {
                    "200": json_content(WatchDeleted, "Deleted, with its events."),
                    **not_found,
                    **errors(401, 429, 503),
                },
            },
        },
        "/api/watches/{watch_id}/deliveries": {
            "parameters": [watch_id],
            "get": {
                "summary": "Every delivery attempt and its outcome, newest first",
                "security": keyed,
                "responses": {
                    "200": json_content(DeliveryList, "The attempts."),
                    **not_found,
                    **errors(401, 503),
                },
            },
        },
        "/api/watches/{watch_id}/feed": {
            "parameters": [watch_id],
            "get": {
                "summary": "The watch's events as an Atom feed",
                "description": "For the key that made the watch, or anyone with the feed's "
                "token (`feed_url` carries it).",
                "security": [*keyed, {}],
                "parameters": [
                    {
                        "name": "token",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Atom 1.0.",
                        "content": {"application/atom+xml": {"schema": {"type": "string"}}},
                    },
                    **not_found,
                    **errors(401, 503),
                },
            },
        },
    }
