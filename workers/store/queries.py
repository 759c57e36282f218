"""The near-duplicates list as the store answers it: a query and its rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workers.engine.clusters import Member
from workers.models import Kind

SortKey = Literal["time", "outlets", "similarity", "share"]
KINDS: tuple[Kind, ...] = ("copy", "quote", "boilerplate")


@dataclass(frozen=True)
class ClusterQuery:
    """A page of the near-duplicates list: filters, order and position.

    ``terms`` must all be present (see :func:`member_terms`); ``since`` and
    ``until`` bound the cluster's latest time (epoch seconds, inclusive);
    ``min_similarity`` asks for at least one copy that close.
    """

    kinds: tuple[Kind, ...] = ("copy",)
    outlet: str | None = None
    wire: str | None = None
    since: float | None = None
    until: float | None = None
    min_similarity: float | None = None
    terms: tuple[str, ...] = ()
    sort: SortKey = "time"
    descending: bool = True
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class ClusterRow:
    """One row of the list: a cluster with its origin and its latest copier."""

    cluster: int
    kind: Kind
    articles: int
    outlets: int
    similarity: float
    share: float
    origin: Member
    latest: Member | None
