"""The records wiretrace takes in and gives out.

``ArticleIn`` is what a client or the crawler submits; ``Origins`` is the answer,
the same record from the API, the CLI's ``analyze`` and the editor pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr

ARTICLE_ID_PATTERN = r"^[^\s/?#%\\]{1,200}$"
# What _http_url accepts, as a JSON Schema pattern (no inline flags there).
HTTP_URL_SCHEMA_PATTERN = r"^[Hh][Tt][Tt][Pp]([Ss])?://"


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain some non-whitespace text")
    return value


def _not_a_number(value: object) -> object:
    """A bare number is no date: pydantic would read it as seconds since 1970,
    which no feed means and the API document does not promise."""
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 date-time string, not a number")
    return value


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


class ArticleIn(BaseModel):
    """An article as submitted. Only ``id`` and ``text`` are required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[
        StrictStr,
        Field(
            pattern=ARTICLE_ID_PATTERN,
            description="Caller's id: 1-200 characters, no whitespace, '/', '?', '#', '%' or '\\'.",
        ),
    ]
    text: Annotated[
        StrictStr,
        AfterValidator(_not_blank),
        # The schema states what _not_blank checks, so generated clients know it.
        Field(description="The article text.", json_schema_extra={"pattern": r"\S"}),
    ]
    outlet: Annotated[StrictStr, Field(max_length=200)] | None = None
    url: (
        Annotated[
            StrictStr,
            Field(max_length=2048, json_schema_extra={"pattern": HTTP_URL_SCHEMA_PATTERN}),
            AfterValidator(_http_url),
        ]
        | None
    ) = None
    title: Annotated[StrictStr, Field(max_length=1000)] | None = None
    author: Annotated[StrictStr, Field(max_length=300)] | None = None
    published_at: Annotated[datetime, BeforeValidator(_not_a_number)] | None = Field(
        default=None, description="ISO 8601; the earlier of two articles is the source."
    )


class StoredArticle(ArticleIn):
    """An article as the store keeps it."""

    content_hash: str
    wire: list[str] = Field(default_factory=list)


Kind = Literal["copy", "quote", "boilerplate"]
RelationName = Literal["copied-from", "common-source", "copied-by"]
Verdict = Literal["wholly", "partially", "non"]
Confidence = Literal["high", "low"]
ReviewStatus = Literal["confirmed", "false_positive"]


class Review(BaseModel):
    """An editor's judgement of one shared passage; a false positive stops counting."""

    status: ReviewStatus
    note: Annotated[StrictStr, Field(max_length=2000)] | None = None
    by: Annotated[StrictStr, Field(max_length=200)] | None = None
    at: datetime


class MatchedPassage(BaseModel):
    """A passage this article shares with one other, as the store keeps it."""

    start: int
    end: int
    source_start: int
    source_end: int
    similarity: float
    verbatim: float | None = Field(
        default=None,
        description="Share of the passage's words this text has word for word from the other "
        "(in runs of shingle_size words); the rest is reworded. None where not recorded.",
    )
    kind: Kind
    review: Review | None = None

    @property
    def counts_as_copy(self) -> bool:
        """Copy that counts towards reuse: not a quote, boilerplate or false positive."""
        return self.kind == "copy" and (
            self.review is None or self.review.status != "false_positive"
        )


class Passage(MatchedPassage):
    source_id: str
    wire: str | None = None


class Source(BaseModel):
    id: str
    outlet: str | None
    published_at: datetime | None
    reused_fraction: float = Field(
        description="Share of this article's own characters covered by copy passages shared "
        "with this article (taken from it, or by it where the relation is copied-by)."
    )
    verbatim_fraction: float | None = Field(
        default=None,
        description="The part of reused_fraction taken word for word (in runs of shingle_size "
        "words), as against reworded: near reused_fraction for a cut-and-paste, well under it "
        "for a rewrite. None where a passage does not record it.",
    )
    verdict: Verdict
    relation: RelationName
    confidence: Confidence
    wire: str | None
    credited: bool | None = Field(
        default=None,
        description="Whether the copying article (this one, or the source where the relation "
        "is copied-by) credits the other: the wire's credit, the source outlet's name, a link "
        "to the source's URL, or a 'Source:'/'via' line. None where no copy is shared.",
    )


class Origins(BaseModel):
    id: str
    outlet: str | None
    published_at: datetime | None
    wire: list[str]
    reused_fraction: float = Field(
        description="Share of this article's own characters covered by copy passages taken "
        "from its sources (copied-from or common-source; not what later articles took from it)."
    )
    verdict: Verdict
    sources: list[Source]
    passages: list[Passage]
    settings: dict[str, object]
