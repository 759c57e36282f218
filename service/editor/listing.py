"""The near-duplicates list's query string: filters, order and page, validated.

A bad value is a 400 that names the parameter; an empty one means "no filter",
as a form submitted with blank fields sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import cast, get_args
from urllib.parse import urlencode

from workers.models import Kind
from workers.store.queries import KINDS, ClusterQuery, SortKey
from workers.store.search import search_words, url_term

SORTS: dict[SortKey, str] = {
    "time": "latest reuse",
    "outlets": "outlets",
    "similarity": "similarity",
    "share": "share copied",
}
MAX_PAGE = 10_000
DAY_SECONDS = 86_400


class FilterError(ValueError):
    """A query-string value the list cannot use; the message names it."""


@dataclass(frozen=True)
class ListForm:
    """The list's parameters as the form shows them, and the query they make."""

    q: str = ""
    outlet: str = ""
    wire: str = ""
    date_from: str = ""
    date_to: str = ""
    kinds: tuple[Kind, ...] = ("copy",)
    min_similarity: str = ""
    sort: SortKey = "time"
    descending: bool = True
    page: int = 1
    page_size: int = 50

    def query(self) -> ClusterQuery:
        return ClusterQuery(
            kinds=self.kinds,
            outlet=self.outlet or None,
            wire=self.wire or None,
            since=_day_start(self.date_from, "from"),
            until=_day_end(self.date_to, "to"),
            min_similarity=_similarity(self.min_similarity),
            terms=search_terms(self.q),
            sort=self.sort,
            descending=self.descending,
            offset=(self.page - 1) * self.page_size,
            limit=self.page_size,
        )

    def url_args(self, **changes: object) -> str:
        """The query string of this list with ``changes`` (a sort link, a page)."""
        form = replace(self, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = [
            (name, value)
            for name, value in [
                ("q", form.q),
                ("outlet", form.outlet),
                ("wire", form.wire),
                ("from", form.date_from),
                ("to", form.date_to),
                ("min_sim", form.min_similarity),
            ]
            if value
        ]
        pairs += [("kind", kind) for kind in form.kinds]
        if form.sort != "time":
            pairs.append(("sort", form.sort))
        if not form.descending:
            pairs.append(("order", "asc"))
        if form.page != 1:
            pairs.append(("page", str(form.page)))
        return urlencode(pairs)

    def sort_args(self, sort: SortKey) -> str:
        """The link of a column header: sort by it, or flip the order if already."""
        flip = not self.descending if sort == self.sort else True
        return self.url_args(sort=sort, descending=flip, page=1)


def search_terms(q: str) -> tuple[str, ...]:
    """A URL is looked up whole; anything else by its words, all of which must match."""
    q = q.strip()
    if not q:
        return ()
    if q.lower().startswith(("http://", "https://")):
        return (url_term(q),)
    return tuple(dict.fromkeys(search_words(q)))


def parse_list_args(args: Mapping[str, str], kinds: list[str], page_size: int) -> ListForm:
    """The list's parameters from a query string (``kinds``: the repeated ``kind``)."""
    sort = args.get("sort") or "time"
    if sort not in SORTS:
        raise FilterError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    order = args.get("order") or "desc"
    if order not in ("asc", "desc"):
        raise FilterError(f"order must be asc or desc, got {order!r}")
    unknown = [k for k in kinds if k not in get_args(Kind)]
    if unknown:
        raise FilterError(f"kind must be among {', '.join(KINDS)}, got {unknown[0]!r}")
    page_text = args.get("page") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        raise FilterError(f"page must be a whole number from 1 to {MAX_PAGE}, got {page_text!r}")
    form = ListForm(
        q=(args.get("q") or "").strip()[:500],
        outlet=args.get("outlet") or "",
        wire=args.get("wire") or "",
        date_from=(args.get("from") or "").strip(),
        date_to=(args.get("to") or "").strip(),
        kinds=tuple(k for k in KINDS if k in kinds) or ("copy",),
        min_similarity=(args.get("min_sim") or "").strip(),
        sort=cast(SortKey, sort),
        descending=order == "desc",
        page=int(page_text),
        page_size=page_size,
    )
    form.query()  # validates the dates and the similarity
    return form


def _date(text: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise FilterError(f"{name} must be a date like 2026-03-31, got {text!r}") from exc
    return datetime.combine(day, time(0), tzinfo=UTC)


def _day_start(text: str, name: str) -> float | None:
    day = _date(text, name)
    return day.timestamp() if day else None


def _day_end(text: str, name: str) -> float | None:
    """The last moment of the day, so that ``to`` includes the day it names."""
    day = _date(text, name)
    # In seconds, not as a date: the day after 9999-12-31 is past the calendar.
    return day.timestamp() + DAY_SECONDS - 0.001 if day else None


def _similarity(text: str) -> float | None:
    """A share from 0 to 1; "85%" and "85" read as 0.85."""
    if not text:
        return None
    raw = text.rstrip("%").strip()
    try:
        value = float(raw)
    except ValueError as exc:
        raise FilterError(f"min_sim must be a number from 0 to 1, got {text!r}") from exc
    if value > 1 or text.endswith("%"):
        value /= 100
    if not 0 <= value <= 1:
        raise FilterError(f"min_sim must be from 0 to 1 (or 0% to 100%), got {text!r}")
    return value
