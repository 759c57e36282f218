"""Reading the store in batches for the exports: article and cluster numbers
are handed out in sequence, so a walk over ``1..last`` visits each once
without listing them all first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from workers.store import Store
from workers.store.codec import as_str, optional_str

BATCH = 500
_META = ("id", "outlet", "published_at")


@dataclass(frozen=True)
class Meta:
    """An article as the exports name it."""

    id: str
    outlet: str | None
    published_at: str | None  # ISO 8601, as stored

    @property
    def time(self) -> float | None:
        if not self.published_at:
            return None
        moment = datetime.fromisoformat(self.published_at)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def last_number(store: Store, key: str) -> int:
    raw = store.client.get(key)
    return int(raw) if raw else 0


def batches(last: int, size: int = BATCH) -> Iterator[list[int]]:
    for first in range(1, last + 1, size):
        yield list(range(first, min(first + size, last + 1)))


def metas(store: Store, numbers: Iterable[int]) -> dict[int, Meta]:
    """Id, outlet and time of the articles (missing ones left out); one round trip."""
    numbers = list(numbers)
    pipe = store.client.pipeline(transaction=False)
    for n in numbers:
        pipe.hmget(store.keys.article(n), _META)
    found = {}
    for n, (article_id, outlet, published) in zip(numbers, pipe.execute(), strict=True):
        if article_id is not None:
            found[n] = Meta(as_str(article_id), optional_str(outlet), optional_str(published))
    return found


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()
