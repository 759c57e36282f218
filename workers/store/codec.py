"""How records are written in Redis hashes and read back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from workers.engine.clusters import Member, Membership, snippet
from workers.models import ArticleIn, MatchedPassage, PairEvidence, Review, Segment, StoredArticle
from workers.store.texts import compress_text, decompress_text

_R = TypeVar("_R", bound=BaseModel)

ARTICLE_FIELDS = (
    "id",
    "text",
    "outlet",
    "url",
    "title",
    "published_at",
    "content_hash",
    "wire",
    "author",
)


def decode_membership(cluster: bytes, value: bytes) -> Membership:
    kind, start, end = as_str(value).split(" ")
    return Membership(int(cluster), kind, (int(start), int(end)))  # type: ignore[arg-type]


# The passages two articles share are stored once, under one of them (the one
# ingested later), as one JSON row each as that article sees them, with the
# other's verbatim share, then its segments if it has any (rows of start, end,
# source start, source end, kind), then, where the other article's segments are
# not these mirrored (each text is cut by its own sentences), the other's kind
# and segments as [kind, [rows as the other sees them]], then the review if
# there is one: a tenth of the bytes of objects naming every field, stored on
# both sides. The other article holds MIRRORED for the pair, and reads the row
# from the holder's side, mirrored. Where the pair's document-level evidence is
# recorded, the rows are held in an object with it: {"rows": [...],
# "evidence": [the holder's derived_score, its rewrite_fraction, the other's
# derived_score, its rewrite_fraction]}. Stores written before hold a bare list
# of rows, or objects on both sides; they read the same.
_PASSAGE_ROW = (
    "start",
    "end",
    "source_start",
    "source_end",
    "similarity",
    "verbatim",
    "source_verbatim",
    "kind",
)
_KIND = _PASSAGE_ROW.index("kind")
MIRRORED = b""


def is_mirrored(raw: bytes | str | None) -> bool:
    return raw is not None and not raw


@dataclass(frozen=True)
class PairSeen:
    """A pair's stored passages and document-level evidence, as one article sees them."""

    passages: list[MatchedPassage]
    evidence: PairEvidence | None  # this article's
    source_evidence: PairEvidence | None  # the other's


def pair_seen(here: bytes | str | None, there: bytes | str | None) -> PairSeen:
    """The passages and evidence of a pair as one article sees them, from what it
    holds for the pair (``here``) and what the other article holds (``there``):
    its own rows, or the other's mirrored. Empty if neither holds rows (a pair
    two writers stored at once on a Redis Cluster, each side mirroring the other)."""
    rows, mirrored, evidence = _held(here, there)
    passages = [_passage(row, mirrored=mirrored) for row in rows]
    if evidence is None:
        return PairSeen(passages, None, None)
    holder, other = PairEvidence(*evidence[:2]), PairEvidence(*evidence[2:4])
    return PairSeen(passages, *((other, holder) if mirrored else (holder, other)))


def passages_seen(here: bytes | str | None, there: bytes | str | None) -> list[MatchedPassage]:
    """The passages of a pair as one article sees them (see :func:`pair_seen`)."""
    return pair_seen(here, there).passages


def _held(
    here: bytes | str | None, there: bytes | str | None
) -> tuple[list[Any], bool, list[float] | None]:
    """A pair's stored passages for the article holding ``here``, whether they are
    the other side's rows (to be read mirrored), and the pair's evidence as the
    holder of the rows sees it."""
    if here:
        held, mirrored = json.loads(here), False
    elif is_mirrored(here) and there:
        held, mirrored = json.loads(there), True
    else:
        return [], False, None
    if isinstance(held, dict) and "rows" in held:
        return held["rows"], mirrored, held.get("evidence")
    return held, mirrored, None


def _as_row(stored: list[Any] | dict[str, Any]) -> list[Any]:
    """A stored passage as a row; an object naming every field (as stores written
    before rows hold, on both sides) lacks the other side's verbatim share."""
    if isinstance(stored, list):
        return stored
    row = [stored.get(name) for name in _PASSAGE_ROW]
    if stored.get("segments"):
        row.append(
            [
                [g["start"], g["end"], g["source_start"], g["source_end"], g["kind"]]
                for g in stored["segments"]
            ]
        )
    return [*row, stored["review"]] if stored.get("review") else row


def _segment_lists(row: list[Any]) -> tuple[list[Any], list[Any] | None]:
    """A row's segments, and the other article's ``[kind, segments]`` where stored."""
    lists = [x for x in row[len(_PASSAGE_ROW) :] if isinstance(x, list)]
    return (lists[0] if lists else []), (lists[1] if len(lists) > 1 else None)


def _segment_rows(segments: list[Segment]) -> list[list[Any]]:
    return [[s.start, s.end, s.source_start, s.source_end, s.kind] for s in segments]


def _mirrored_segments(segments: list[Any]) -> list[list[Any]]:
    """Segment rows as the other article sees them, where it has none of its own."""
    return [[ss, se, s, e, kind] for s, e, ss, se, kind in segments]


def _passage(stored: list[Any] | dict[str, Any], *, mirrored: bool) -> MatchedPassage:
    row = _as_row(stored)
    fields = dict(zip(_PASSAGE_ROW, row, strict=False))
    review = next((x for x in row[len(_PASSAGE_ROW) :] if isinstance(x, dict)), None)
    segments, theirs = _segment_lists(row)
    if mirrored:
        kind, own = theirs if theirs is not None else (fields["kind"], _mirrored_segments(segments))
        return MatchedPassage(
            start=fields["source_start"],
            end=fields["source_end"],
            source_start=fields["start"],
            source_end=fields["end"],
            similarity=fields["similarity"],
            verbatim=fields["source_verbatim"],
            kind=kind,
            segments=[
                Segment(start=s, end=e, source_start=ss, source_end=se, kind=k)
                for s, e, ss, se, k in own
            ],
            review=Review.model_validate(review) if review is not None else None,
        )
    fields.pop("source_verbatim")
    return MatchedPassage.model_validate(
        {
            **fields,
            "segments": [
                {"start": s, "end": e, "source_start": ss, "source_end": se, "kind": kind}
                for s, e, ss, se, kind in segments
            ],
            "review": review,
        }
    )


def passage_spans(
    here: bytes | str | None, there: bytes | str | None
) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of each segment of each passage as ``here``'s article
    sees it (see :func:`passages_seen`), without building models."""
    rows, mirrored, _ = _held(here, there)
    first = 2 if mirrored else 0  # a mirrored row's own span is its source span
    spans: list[tuple[int, int, str]] = []
    for row in map(_as_row, rows):
        segments, theirs = _segment_lists(row)
        if mirrored and theirs is not None:
            spans.extend((seg[0], seg[1], seg[4]) for seg in theirs[1])
        elif segments:
            spans.extend((seg[first], seg[first + 1], seg[4]) for seg in segments)
        else:
            spans.append((row[first], row[first + 1], row[_KIND]))
    return spans


def encode_pair(
    here: list[MatchedPassage],
    there: list[MatchedPassage],
    evidence: tuple[PairEvidence, PairEvidence] | None = None,
) -> str:
    """The rows of a pair's passages as one article sees them (``here``); ``there``:
    the same passages as the other sees them, for its verbatim shares; ``evidence``:
    the pair's document-level evidence as each sees it (``here``'s first), where
    recorded."""
    theirs = {(p.source_start, p.source_end, p.start, p.end): p for p in there}
    rows = []
    for p in here:
        other = theirs.get((p.start, p.end, p.source_start, p.source_end))
        row: list[Any] = [
            p.start,
            p.end,
            p.source_start,
            p.source_end,
            p.similarity,
            p.verbatim,
            other.verbatim if other is not None else None,
            p.kind,
        ]
        segments = _segment_rows(p.segments)
        if segments:
            row.append(segments)
        if other is not None and other.segments:
            own = _segment_rows(other.segments)
            if segments and (own != _mirrored_segments(segments) or other.kind != p.kind):
                row.append([other.kind, own])
        if p.review is not None:
            row.append(p.review.model_dump(mode="json", exclude_none=True))
        rows.append(row)
    if evidence is None:
        return json.dumps(rows, separators=(",", ":"))
    numbers = [*evidence[0], *evidence[1]]
    return json.dumps({"rows": rows, "evidence": numbers}, separators=(",", ":"))


# What a cluster stores of a member, as one JSON row: what the member's article
# does not hold. Its id, outlet, title, URL, wires and snippet are read from the
# article when the member is read (an article is in a cluster only as long as
# the text its span points into is stored: replacing or deleting the article
# takes it out of its clusters first).
_MEMBER_ROW = ("kind", "start", "end", "similarity", "share", "time", "dated")
MEMBER_ARTICLE_FIELDS = ("id", "outlet", "title", "url", "wire", "text")


def encode_member(member: Member) -> str:
    return json.dumps([getattr(member, name) for name in _MEMBER_ROW], separators=(",", ":"))


def stored_member(raw: bytes | str) -> dict[str, Any]:
    """A member's stored fields: a row's, or every field of a member stored whole
    (as stores written before rows hold)."""
    data = json.loads(raw)
    return data if isinstance(data, dict) else dict(zip(_MEMBER_ROW, data, strict=True))


def decode_member(
    stored: dict[str, Any], article: list[bytes | None], dictionaries: Mapping[int, bytes]
) -> Member | None:
    """A member from its stored fields and its article's ``MEMBER_ARTICLE_FIELDS``
    (unused for a member stored whole; its text compressed against one of
    ``dictionaries``, or none); None if the article is gone."""
    if "id" in stored:
        return Member.model_validate(stored)
    fields = dict(zip(MEMBER_ARTICLE_FIELDS, article, strict=True))
    if fields["id"] is None or fields["text"] is None:
        return None
    text = decompress_text(fields["text"], dictionaries)
    return Member(
        **stored,
        id=as_str(fields["id"]),
        outlet=optional_str(fields["outlet"]),
        title=optional_str(fields["title"]),
        url=optional_str(fields["url"]),
        wire=json.loads(fields["wire"] or b"[]"),
        snippet=snippet(text, (stored["start"], stored["end"])),
    )


def as_str(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def optional_str(value: bytes | str | None) -> str | None:
    """A stored text field; None where it is missing or empty."""
    return as_str(value) if value else None


def records(raw: list[Any], keys: list[str], model: type[_R]) -> dict[str, _R]:
    """The JSON records ``HMGET`` found for ``keys``, by key (missing ones left out)."""
    return {k: model.model_validate_json(v) for k, v in zip(keys, raw, strict=True) if v}


# An article's fields besides its id and text, as stored: a submission whose
# text and these fields are as stored changes nothing.
METADATA_FIELDS = ("outlet", "url", "title", "author", "published_at")


def encode_metadata(article: ArticleIn) -> dict[str, str]:
    """The hash fields of ``article``'s :data:`METADATA_FIELDS` ("" where unset)."""
    fields = {name: getattr(article, name) or "" for name in ("outlet", "url", "title", "author")}
    fields["published_at"] = article.published_at.isoformat() if article.published_at else ""
    return fields


def encode_article(
    article: StoredArticle, dictionary: bytes | None
) -> dict[str | bytes, str | bytes]:
    """An article's hash fields, its text compressed against ``dictionary`` (or none)."""
    fields: dict[str | bytes, str | bytes] = {
        "id": article.id,
        "text": compress_text(article.text, dictionary),
        "content_hash": article.content_hash,
        "wire": json.dumps(article.wire),
    }
    fields.update(encode_metadata(article))
    return fields


def decode_article(
    raw: Mapping[str, bytes | str | None], dictionaries: Mapping[int, bytes]
) -> StoredArticle:
    """An article from its hash fields; ``text`` compressed as stored (against one
    of ``dictionaries``, or none), or already a str."""

    def text_field(name: str) -> str | None:
        return optional_str(raw.get(name))

    data: dict[str, Any] = {
        name: text_field(name) for name in ("id", "outlet", "url", "title", "author")
    }
    published = text_field("published_at")
    data["published_at"] = datetime.fromisoformat(published) if published else None
    text = raw["text"]
    data["text"] = text if isinstance(text, str) else decompress_text(text or b"", dictionaries)
    data["content_hash"] = text_field("content_hash")
    data["wire"] = json.loads(text_field("wire") or "[]")
    return StoredArticle.model_validate(data)
