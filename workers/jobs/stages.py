"""Where a worker's CPU goes: the CPU seconds this process spent in each stage of
ingesting, kept in memory and added to the ingest statistics in Redis with the
write each job makes anyway (so timing costs no round trip).

A stage is timed as a lap: :meth:`StageClock.lap` gives the CPU used since the
previous lap to the stage it names, so each stage costs one ``process_time``
call (well under a microsecond) and nothing is counted twice. ``wiretrace
bench`` reads the counters before and after ingesting and prints CPU ms an
article by stage; what the workers spent outside every stage (RQ's bookkeeping,
decoding jobs, logging) is the rest of their CPU.
"""

from __future__ import annotations

import time
from collections import defaultdict
from functools import lru_cache

# The statistics fields are "cpu:<stage>"; the order is the pipeline's.
STAGES = (
    "number",  # the article's number and its stored version, if any
    "prepare",  # normalising, segmenting, hashing words (cached by content)
    "bands",  # MinHash signatures and LSH band keys
    "index",  # the index script: appending the bands, reading who shares them
    "candidates",  # choosing the candidates to compare
    "load",  # loading candidates' texts and preparing them (mostly cached)
    "align",  # comparing, by part: verification and exact alignment
    "similarity",  # the sentences' word similarities (the rewrite stage's input)
    "evidence",  # document-level evidence of a rewrite
    "rewrite",  # the rewrite stage's chains, joined with the exact runs
    "classify",  # passages cut into copy, quote and boilerplate, with offsets
    "compare",  # the rest of comparing (splitting words run together, pairing)
    "attribute",  # wire credits, copy relations
    "save",  # the save transaction, unindexing a replaced text
    "origins",  # the origins record the job returns
    "upkeep",  # deliveries and the retention sweep queued after ingesting
)
STAGE_FIELD = "cpu:"


class StageClock:
    """CPU seconds spent in each stage since the last :meth:`take`."""

    def __init__(self) -> None:
        self._spent: defaultdict[str, float] = defaultdict(float)
        self._last = time.process_time()

    def start(self) -> None:
        """Begin timing: CPU used before now belongs to no stage."""
        self._last = time.process_time()

    def lap(self, stage: str) -> None:
        """Give the CPU used since the previous lap (or :meth:`start`) to ``stage``."""
        now = time.process_time()
        self._spent[stage] += now - self._last
        self._last = now

    def take(self) -> dict[str, float]:
        """The seconds spent by stage, as statistics fields, and start again from zero."""
        spent = {STAGE_FIELD + stage: seconds for stage, seconds in self._spent.items()}
        self._spent.clear()
        return spent


@lru_cache(maxsize=1)
def stage_clock() -> StageClock:
    """This process's clock (a worker runs one job at a time)."""
    return StageClock()


def stage_seconds(stats: dict[str, float]) -> dict[str, float]:
    """The CPU seconds by stage in ingest statistics ``stats``, in pipeline order
    (stages never timed left out)."""
    return {stage: stats[STAGE_FIELD + stage] for stage in STAGES if STAGE_FIELD + stage in stats}
