"""Chart geometry for inline SVG drawn by the templates: pure functions.

The pages draw their charts as SVG on the server, so they need no JavaScript
library and no build step; this module only computes positions and labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from workers.engine.clusters import Member

TIMELINE_WIDTH = 860
ROW_HEIGHT = 34
LEFT = 170  # room for outlet names
RIGHT = 40
TOP = 30
BAR_WIDTH = 360


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    member: Member
    origin: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    left: int
    right: int
    rows: list[tuple[float, str]]
    points: list[Point]
    ticks: list[Tick]


OUT_OF_RANGE = "date out of range"


def moment(seconds: float) -> datetime | None:
    """``seconds`` since 1970 as a UTC time; None past Python's calendar (years 1
    to 9999), where a store written before dates were bounded may have some."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def time_label(seconds: float, span: float) -> str:
    when = moment(seconds)
    if when is None:
        return OUT_OF_RANGE
    return when.strftime("%d %b %H:%M") if span < 3 * 86400 else when.strftime("%d %b %Y")


def timeline(members: Sequence[Member], origin: Member, ticks: int = 5) -> Timeline:
    """One row per outlet (in order of first appearance), one point per article."""
    ordered = sorted(members, key=lambda m: (m.time, m.id))
    outlets: list[str] = []
    for m in ordered:
        name = m.outlet or "(unknown outlet)"
        if name not in outlets:
            outlets.append(name)
    first, last = ordered[0].time, ordered[-1].time
    span = last - first
    plot = TIMELINE_WIDTH - LEFT - RIGHT

    def x_of(seconds: float) -> float:
        return LEFT + (plot * (seconds - first) / span if span else plot / 2)

    def y_of(outlet: str | None) -> float:
        return TOP + ROW_HEIGHT * outlets.index(outlet or "(unknown outlet)") + ROW_HEIGHT / 2

    points = [Point(x_of(m.time), y_of(m.outlet), m, m is origin) for m in ordered]
    steps = max(1, ticks - 1) if span else 1
    tick_times = [first + span * i / steps for i in range(steps + 1)] if span else [first]
    return Timeline(
        width=TIMELINE_WIDTH,
        height=TOP + ROW_HEIGHT * len(outlets) + 30,
        left=LEFT,
        right=TIMELINE_WIDTH - RIGHT,
        rows=[(y_of(o), o) for o in outlets],
        points=points,
        ticks=[Tick(x_of(t), time_label(t, span)) for t in tick_times],
    )


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float
    width: float


def bars(counts: Mapping[str, int], total: int, limit: int = 12) -> list[Bar]:
    """The largest ``limit`` counts as bars scaled to the largest, with their shares
    of ``total``."""
    total = max(1, total)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    if not top:
        return []
    most = top[0][1]
    return [Bar(label, n, n / total, BAR_WIDTH * n / most) for label, n in top]
