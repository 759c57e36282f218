"""How records are written in Redis hashes and read back."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from workers.clusters import Member, Membership, snippet
from workers.models import MatchedPassage, StoredArticle

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


# A passage is stored as one JSON row of these fields, then its review if it has
# one: a tenth of the bytes of an object naming every field, and passages are
# stored twice (once under each article).
_PASSAGE_ROW = ("start", "end", "source_start", "source_end", "similarity", "verbatim", "kind")


def decode_passages(raw: bytes | str | None) -> list[MatchedPassage]:
    """Passages from their stored rows (or objects, as stores written before rows hold)."""
    if not raw:
        return []
    passages = []
    for row in json.loads(raw):
        if isinstance(row, dict):
            passages.append(MatchedPassage.model_validate(row))
            continue
        fields = dict(zip(_PASSAGE_ROW, row, strict=False))
        if len(row) > len(_PASSAGE_ROW):
            fields["review"] = row[len(_PASSAGE_ROW)]
        passages.append(MatchedPassage.model_validate(fields))
    return passages


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


def decode_member(stored: dict[str, Any], article: list[bytes | None]) -> Member | None:
    """A member from its stored fields and its article's ``MEMBER_ARTICLE_FIELDS``
    (unused for a member stored whole); None if the article is gone."""
    if "id" in stored:
        return Member.model_validate(stored)
    fields = dict(zip(MEMBER_ARTICLE_FIELDS, article, strict=True))
    if fields["id"] is None or fields["text"] is None:
        return None
    text = zlib.decompress(fields["text"]).decode("utf-8")
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


def passage_spans(raw: bytes | str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of each stored passage, without building models."""
    kind = _PASSAGE_ROW.index("kind")
    return [
        (p["start"], p["end"], p["kind"]) if isinstance(p, dict) else (p[0], p[1], p[kind])
        for p in json.loads(raw)
    ]


def encode_passages(passages: list[MatchedPassage]) -> str:
    rows = []
    for p in passages:
        row: list[Any] = [getattr(p, name) for name in _PASSAGE_ROW]
        if p.review is not None:
            row.append(p.review.model_dump(mode="json", exclude_none=True))
        rows.append(row)
    return json.dumps(rows, separators=(",", ":"))


def encode_article(article: StoredArticle) -> dict[str | bytes, str | bytes]:
    fields: dict[str | bytes, str | bytes] = {
        "id": article.id,
        "text": zlib.compress(article.text.encode("utf-8"), 6),
        "content_hash": article.content_hash,
        "wire": json.dumps(article.wire),
    }
    for name in ("outlet", "url", "title", "author"):
        value = getattr(article, name)
        fields[name] = value if value is not None else ""
    fields["published_at"] = article.published_at.isoformat() if article.published_at else ""
    return fields


def decode_article(raw: Mapping[str, bytes | str | None]) -> StoredArticle:
    """An article from its hash fields; ``text`` compressed as stored, or already a str."""

    def text_field(name: str) -> str | None:
        return optional_str(raw.get(name))

    data: dict[str, Any] = {
        name: text_field(name) for name in ("id", "outlet", "url", "title", "author")
    }
    published = text_field("published_at")
    data["published_at"] = datetime.fromisoformat(published) if published else None
    text = raw["text"]
    data["text"] = text if isinstance(text, str) else zlib.decompress(text or b"").decode("utf-8")
    data["content_hash"] = text_field("content_hash")
    data["wire"] = json.loads(text_field("wire") or "[]")
    return StoredArticle.model_validate(data)
