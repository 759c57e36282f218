"""The records wiretrace takes in and gives out.

``ArticleIn`` is what a client or the crawler submits; ``Origins`` is the answer,
the same record from the API, the CLI's ``analyze`` and the editor pages.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr

# Any id the store holds, archived versions' ``<id>@v<k>`` included: what a
# path may name. Submitted ids keep to SUBMITTED_ID_PATTERN and _submitted_id.
ARTICLE_ID_PATTERN = r"^[^\s/?#%\\]{1,200}$"
# '@' is reserved for the versions the store archives (``<id>@v1``...): a
# client's ``vc@v1`` would otherwise be overwritten by the crawler's, and taken
# down with ``vc``. Control characters are refused here too; _submitted_id
# refuses every other invisible one (the JSON Schema dialect has no \p{C}).
SUBMITTED_ID_PATTERN = r"^[^\s/?#%\\@\x00-\x1f\x7f-\x9f]{1,200}$"
# What _http_url accepts, as a JSON Schema pattern (no inline flags there).
HTTP_URL_SCHEMA_PATTERN = r"^[Hh][Tt][Tt][Pp]([Ss])?://"
# The dates a client may give: years 1600 to 2199, UTC. Wider than any news
# archive, narrow enough that every page can convert and draw the date in any
# zone (Python's datetimes end at years 1 and 9999).
EARLIEST_DATE = datetime(1600, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2200, 1, 1, tzinfo=UTC)  # excluded
_LINE_BREAKS = frozenset("\t\n\r")


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


def as_utc(value: datetime) -> datetime:
    """A date without a zone is taken as UTC, as most feeds mean it; left naive it
    could not be compared with the aware dates of other articles."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def in_date_range(value: datetime) -> bool:
    """Whether ``value`` is a date a client may give (see EARLIEST_DATE)."""
    return EARLIEST_DATE <= as_utc(value) < LATEST_DATE


def usable_date(value: datetime | None) -> datetime | None:
    """A date read from a page or feed, or None where it is out of the accepted
    range: a garbled date is left out rather than the article refused."""
    return value if value is not None and in_date_range(value) else None


def _in_date_range(value: datetime) -> datetime:
    if not in_date_range(value):
        raise ValueError(
            f"must be from {EARLIEST_DATE:%Y-%m-%d} to "
            f"{LATEST_DATE.year - 1}-12-31 (UTC), got {value.isoformat()}"
        )
    return value


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


def canonical_id(value: str) -> str:
    """Ids in one Unicode form (NFC): "café" typed on two systems is one article."""
    return unicodedata.normalize("NFC", value)


def _is_invisible(char: str) -> bool:
    """Control, format (bidirectional marks, zero-width), private-use, surrogate
    or unassigned: characters that do not show, or show as another text."""
    return unicodedata.category(char).startswith("C")


def _character(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``; controls have no name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _submitted_id(value: str) -> str:
    """The rules of SUBMITTED_ID_PATTERN, each with its own message, and the ones
    it cannot state."""
    if not 1 <= len(value) <= 200:
        raise ValueError(f"must be 1 to 200 characters, not {len(value)}")
    if value in (".", ".."):
        raise ValueError(
            f"must not be {value!r}: browsers drop such a path segment, so its pages "
            "could not be reached"
        )
    if "@" in value:
        raise ValueError("must not contain '@': <id>@v<n> names the versions the store archives")
    for char in value:
        if char.isspace() or char in "/?#%\\":
            raise ValueError(f"must not contain whitespace, '/', '?', '#', '%' or '\\': {char!r}")
        if _is_invisible(char):
            raise ValueError(f"must not contain invisible characters: {_character(char)}")
    return value


def _controls_refused(value: str, allowed: frozenset[str]) -> str:
    found = next((c for c in value if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if found is not None:
        raise ValueError(f"must not contain control characters: {_character(found)}")
    return value


def _one_line(value: str) -> str:
    """Names and titles go into pages and listings: no control characters at all."""
    return _controls_refused(value, frozenset())


def _lines(value: str) -> str:
    """A note may run over lines; any other control character is refused."""
    return _controls_refused(value, _LINE_BREAKS)


def clean_line(value: str | None) -> str | None:
    """``value`` with control characters and runs of whitespace made single spaces:
    what the crawler makes of a page's title or author, which a page may garble."""
    if value is None:
        return None
    spaced = "".join(" " if unicodedata.category(c) == "Cc" else c for c in value)
    return " ".join(spaced.split()) or None


# An article id as the API, the paste page, the crawler and ``analyze`` take it.
ArticleId = Annotated[
    StrictStr,
    AfterValidator(canonical_id),
    AfterValidator(_submitted_id),
    Field(
        description="Caller's id: 1-200 characters, no whitespace, '/', '?', '#', '%', '\\' "
        "or '@' (reserved for archived versions, <id>@v<n>), no control or invisible "
        "characters, not '.' or '..'; normalised to Unicode NFC.",
        json_schema_extra={"pattern": SUBMITTED_ID_PATTERN},
    ),
]
# A date as stored, or set by the server: only made aware (stores written before
# dates were checked may hold naive ones).
UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
PublishedAt = Annotated[
    datetime,
    BeforeValidator(_not_a_number),
    AfterValidator(as_utc),
    AfterValidator(_in_date_range),
    Field(
        description="ISO 8601; the earlier of two articles is the source. Without a zone it "
        f"is UTC. From {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE.year - 1}-12-31."
    ),
]
OutletName = Annotated[StrictStr, Field(max_length=200), AfterValidator(_one_line)]
Title = Annotated[StrictStr, Field(max_length=1000), AfterValidator(_one_line)]
Note = Annotated[StrictStr, Field(max_length=2000), AfterValidator(_lines)]


class ArticleIn(BaseModel):
    """An article as submitted. Only ``id`` and ``text`` are required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ArticleId
    text: Annotated[
        StrictStr,
        AfterValidator(_not_blank),
        # The schema states what _not_blank checks, so generated clients know it.
        Field(description="The article text.", json_schema_extra={"pattern": r"\S"}),
    ]
    outlet: OutletName | None = None
    url: (
        Annotated[
            StrictStr,
            Field(max_length=2048, json_schema_extra={"pattern": HTTP_URL_SCHEMA_PATTERN}),
            AfterValidator(_http_url),
        ]
        | None
    ) = None
    title: Title | None = None
    author: Annotated[StrictStr, Field(max_length=300), AfterValidator(_one_line)] | None = None
    published_at: PublishedAt | None = None


class StoredArticle(ArticleIn):
    """An article as the store keeps it.

    What the door checks is not checked again on reading: archived versions'
    ids (``<id>@v1``) are made by the store, and records stored before a rule
    was added must stay readable.
    """

    id: StrictStr
    outlet: StrictStr | None = None
    title: StrictStr | None = None
    author: StrictStr | None = None
    published_at: UtcDateTime | None = None
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
    at: UtcDateTime


# The version of the origins record's shape. 2: one passage per maximal aligned
# stretch, divided into ``segments`` of one kind each; sources report
# ``derived_score`` (see CHANGELOG.md).
RECORD_VERSION = 2


class Segment(BaseModel):
    """A part of a passage of one kind, in both texts."""

    start: int
    end: int
    source_start: int
    source_end: int
    kind: Kind


class PairEvidence(NamedTuple):
    """A pair's document-level evidence of a rewrite, as one of its articles sees it."""

    derived_score: float
    rewrite_fraction: float


class MatchedPassage(BaseModel):
    """A passage this article shares with one other, as the store keeps it: one
    maximal aligned stretch of both texts."""

    start: int
    end: int
    source_start: int
    source_end: int
    similarity: float
    verbatim: float | None = Field(
        default=None,
        description="Share of the words of the passage's copy this text has word for word "
        "from the other (in runs of shingle_size words); the rest is reworded. None where not "
        "recorded.",
    )
    kind: Kind = Field(
        description="copy where any part of the passage is copy; else quote where any is a "
        "quotation; else boilerplate. What each part is: segments."
    )
    segments: list[Segment] = Field(
        default_factory=list,
        description="How the passage divides into copy, quote and boilerplate, in order; text of "
        "the passage between two segments (an outlet's own sentence inside a rewritten stretch) "
        "is neither. Empty in records stored before segments: then the passage is one segment "
        "of its kind.",
    )
    review: Review | None = None

    @property
    def parts(self) -> list[Segment]:
        """The segments, or the whole passage as one where none are recorded."""
        if self.segments:
            return self.segments
        return [
            Segment(
                start=self.start,
                end=self.end,
                source_start=self.source_start,
                source_end=self.source_end,
                kind=self.kind,
            )
        ]

    @property
    def false_positive(self) -> bool:
        """A reviewer marked it a false positive: it counts towards no reuse."""
        return self.review is not None and self.review.status == "false_positive"

    @property
    def counts_as_copy(self) -> bool:
        """Holds copy that counts towards reuse: not only quotes or boilerplate, and not a
        false positive."""
        return self.kind == "copy" and not self.false_positive


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
    derived_score: float | None = Field(
        default=None,
        description="Document-level evidence of a rewrite: the share of this article's "
        "fragment weight (words, word pairs and triples, each weighed by its rarity) that "
        "the two articles' alike sentences, chained in their order, account for; 0 where "
        "the chain holds no dense run sharing evidence_min_words distinctive words (then "
        "alike sentences are a shared topic's or event's). "
        "0.05-0.3 for a heavy rewrite, 0 for an independent report of the same event. None "
        "where not worked out: the pair shares most of one text word for word (a copy "
        "needs no evidence of a rewrite), or the record predates it.",
    )
    rewrite_fraction: float | None = Field(
        default=None,
        description="Share of this article's words in sentences the chain aligns to this "
        "source, in order, however reworded (0 where derived_score is 0). A rewrite's "
        "counterpart of reused_fraction: the verdict reads the larger of the two. None where "
        "not recorded.",
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
    record_version: int = Field(
        default=RECORD_VERSION,
        description="Version of this record's shape (2: passages are whole aligned stretches "
        "with segments; sources report derived_score).",
    )
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
