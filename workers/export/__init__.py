"""Exports for researchers: passages, clusters and the outlet network, as data.

Each export walks the store in batches by article (or cluster) number, so
memory stays bounded whatever the index's size; the network is the one thing
held whole, and it grows with the number of outlets, not of articles. The web
API and ``wiretrace export`` stream the same lines (:mod:`workers.export.run`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFilter:
    """What to export: ``since``/``until`` bound times (epoch seconds, inclusive:
    a passage's later article, a cluster's members, a copy's copier); ``outlet``
    keeps what involves that outlet."""

    since: float | None = None
    until: float | None = None
    outlet: str | None = None

    def covers(self, moment: float | None) -> bool:
        if moment is None:
            return self.since is None and self.until is None
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment <= self.until
        )
