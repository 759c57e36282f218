"""Who an outlet copies from and who copies it, counted over its clusters: pure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from workers.engine.clusters import Member

UNKNOWN_OUTLET = "(unknown outlet)"


def source_label(origin: Member) -> str:
    """What a cluster's text came from: the wire it credits, else its first outlet."""
    if origin.wire:
        return f"{origin.wire[0]} (wire)"
    return origin.outlet or UNKNOWN_OUTLET


@dataclass
class OutletStats:
    """Counts of copy clusters: per source this outlet took text from (out of
    ``copying`` clusters where it did), per outlet that took this outlet's text
    (out of ``copied`` clusters that started here and ran elsewhere); and this
    outlet's most widely run passages."""

    clusters: int = 0
    copying: int = 0
    copied: int = 0
    copies_from: Counter[str] = field(default_factory=Counter)
    copied_by: Counter[str] = field(default_factory=Counter)
    most_copied: list[tuple[int, Member, int]] = field(default_factory=list)


def outlet_stats(
    outlet: str, clusters: list[tuple[int, Member, set[str]]], top: int = 10
) -> OutletStats:
    """Stats over ``clusters`` (number, origin, outlets) that ``outlet`` is in.

    Only copy clusters count: shared quotes and boilerplate are nobody copying.
    The origin of a wire-credited cluster is the wire, so outlets carrying it
    copy from the wire, not from whichever of them ran it first.
    """
    stats = OutletStats()
    for number, origin, outlets in clusters:
        if origin.kind != "copy":
            continue
        stats.clusters += 1
        others = {o or UNKNOWN_OUTLET for o in outlets} - {outlet}
        if origin.outlet == outlet and not origin.wire:
            stats.copied_by.update(others)
            if others:
                stats.copied += 1
                stats.most_copied.append((number, origin, len(others)))
        else:
            stats.copying += 1
            stats.copies_from[source_label(origin)] += 1
    stats.most_copied.sort(key=lambda item: (-item[2], -item[1].time))
    del stats.most_copied[top:]
    return stats
