"""Editors' review marks: a shared passage confirmed, or a false positive.

Two ways in, one effect: the pages post a form (a signed-in editor's session
plus CSRF token), API clients post JSON with their API key like any other API
write. Either way review must be on (an editor token configured). The mark is
stored on the passage, both sides of the match (:meth:`Store.set_review`), and
shows in the origins record as the passage's ``review``; a false positive no
longer counts towards ``reused_fraction`` and the verdicts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from flask import Blueprint, g, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
)

from service.api import parse_json_object, read_body, services
from service.auth import key_id
from service.editor.auth import (
    HOW_TO_ENABLE,
    PageError,
    require_editor,
    review_enabled,
    safe_next,
)
from service.errors import ApiError, validation_problems
from workers.models import MatchedPassage, Note, Review, ReviewStatus, canonical_id

# The API endpoint sits under the API's key rule; the pages' form under the
# editor's session (service.auth.SESSION_BLUEPRINTS).
api_blueprint = Blueprint("review_api", __name__)
form_blueprint = Blueprint("editor_forms", __name__)


class ReviewIn(BaseModel):
    """A review mark as posted: which passage (by its offsets in the article) and what."""

    model_config = ConfigDict(extra="forbid")

    source_id: Annotated[StrictStr, AfterValidator(canonical_id)] = Field(
        description="The article the passage is shared with."
    )
    start: Annotated[StrictInt, Field(ge=0)]
    end: Annotated[StrictInt, Field(ge=0)]
    status: ReviewStatus | None = Field(description="confirmed, false_positive, or null to clear.")
    note: Note | None = None


class ReviewedPassage(MatchedPassage):
    """The passage as marked, offsets in ``article``, and the article it is shared with."""

    article: str
    source_id: str


def problems_of(exc: ValidationError) -> list[dict[str, str]]:
    return validation_problems(exc)


def apply_review(article_id: str, mark: ReviewIn, by: str) -> MatchedPassage:
    """Store ``mark`` on both sides of the passage; an ApiError if there is no such passage."""
    store = services().store
    article, source = store.lookup(article_id), store.lookup(mark.source_id)
    if article is None:
        raise ApiError(404, f"no article {article_id!r}")
    if source is None:
        raise ApiError(404, f"no article {mark.source_id!r} (source_id)")
    review = None
    if mark.status is not None:
        note = (mark.note or "").strip() or None
        review = Review(status=mark.status, note=note, by=by, at=datetime.now(UTC))
    passage = store.set_review(article.number, source.number, (mark.start, mark.end), review)
    if passage is None:
        raise ApiError(
            404,
            f"article {article_id!r} shares no passage {mark.start}-{mark.end} "
            f"with {mark.source_id!r}",
        )
    return passage


@api_blueprint.post("/api/articles/<article_id>/reviews")
def post_review(article_id: str) -> ResponseReturnValue:
    """Mark a passage: JSON ``{source_id, start, end, status, note}``."""
    if not review_enabled():
        raise ApiError(403, HOW_TO_ENABLE)
    body = parse_json_object(read_body(services().settings.max_body_bytes), "one review mark")
    try:
        mark = ReviewIn.model_validate(body)
    except ValidationError as exc:
        problems = problems_of(exc)
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        raise ApiError(422, f"invalid review: {summary}", problems=problems) from exc
    by = f"API key {key_id(g.key_hash)}" if g.get("key_hash") else "API"
    passage = apply_review(article_id, mark, by)
    answer = ReviewedPassage(**passage.model_dump(), article=article_id, source_id=mark.source_id)
    return jsonify(answer.model_dump(mode="json"))


@form_blueprint.post("/articles/<article_id>/review")
def review_form(article_id: str) -> ResponseReturnValue:
    """The pages' review form: mark, then back to the page it was posted from."""
    editor = require_editor()
    form = request.form
    status = form.get("status")
    try:
        mark = ReviewIn.model_validate(
            {
                "source_id": form.get("source_id", ""),
                "start": int(form.get("start", "")),
                "end": int(form.get("end", "")),
                "status": None if status == "clear" else status,
                "note": form.get("note") or None,
            }
        )
    except (ValueError, ValidationError) as exc:
        raise PageError(422, f"invalid review mark: {exc}") from exc
    try:
        apply_review(article_id, mark, editor)
    except ApiError as exc:
        raise PageError(exc.status, exc.message) from exc
    return redirect(safe_next(form.get("next")), 303)
