"""The stage clock: each stage gets the CPU used since the previous lap, nothing
is counted twice, and taking the figures starts again from zero."""

from __future__ import annotations

import time

from workers.jobs.stages import STAGES, StageClock, stage_seconds


def busy(rounds: int) -> int:
    return sum(i * i for i in range(rounds))


def test_laps_share_out_the_cpu_between_start_and_the_last_lap() -> None:
    clock = StageClock()
    busy(10_000)  # before the start: no stage's
    before = time.process_time()
    clock.start()
    busy(20_000)
    clock.lap("prepare")
    busy(20_000)
    clock.lap("compare")
    busy(5_000)
    clock.lap("prepare")
    after = time.process_time()
    spent = clock.take()
    assert list(spent) == ["cpu:prepare", "cpu:compare"]
    assert all(seconds >= 0 for seconds in spent.values())
    assert sum(spent.values()) <= after - before
    assert clock.take() == {}  # taken: nothing left to add twice


def test_stage_seconds_reads_the_stages_in_pipeline_order_among_other_counters() -> None:
    stats = {"count:ok": 3.0, "cpu:save": 0.5, "sum": 1.0, "cpu:prepare": 0.25}
    assert stage_seconds(stats) == {"prepare": 0.25, "save": 0.5}
    assert list(stage_seconds({f"cpu:{s}": 1.0 for s in reversed(STAGES)})) == list(STAGES)
