"""How records are written in Redis hashes and read back."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from workers.clusters import Membership
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


def decode_passages(raw: bytes | None) -> list[MatchedPassage]:
    return [MatchedPassage(**p) for p in json.loads(raw)] if raw else []


def as_str(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def records(raw: list[Any], keys: list[str], model: type[_R]) -> dict[str, _R]:
    """The JSON records ``HMGET`` found for ``keys``, by key (missing ones left out)."""
    return {k: model.model_validate_json(v) for k, v in zip(keys, raw, strict=True) if v}


def encode_passages(passages: list[MatchedPassage]) -> str:
    return json.dumps(
        [p.model_dump(mode="json", exclude_none=True) for p in passages], separators=(",", ":")
    )


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
        value = raw.get(name)
        return as_str(value) if value else None

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
