"""`wiretrace analyze`: batch results from a file, in a fresh embedded store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import ROOT, alive, wait_for

STORY = (
    "The city's tram drivers voted on Friday to strike for three days next month after "
    "talks over rotas and overtime pay collapsed late on Thursday evening.\n\n"
    "A spokeswoman for the operator said contingency timetables would be published on its "
    "website, and that bus services were not affected by the dispute."
)
COPY = (
    "Commuters face disruption.\n\n"
    "The city's tram drivers voted on Friday to strike for three days next month after "
    "talks over rotas and overtime pay collapsed late on Thursday evening."
)
OTHER = "Gardeners are being urged to water their lawns less often during the dry spell."


def run_analyze(source: Path, out: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["WIRETRACE_DATA_DIR"] = str(out.parent / "unused-data")
    env.update(settings)
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", "analyze", str(source), "--out", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_analyze_orders_by_publication_and_writes_records_in_file_order(tmp_path: Path) -> None:
    lines = [
        {
            "id": "copy",
            "text": COPY,
            "outlet": "Metro Post",
            "published_at": "2026-03-02T12:00:00Z",
        },
        {"id": "other", "text": OTHER, "outlet": "Garden Weekly"},
        "this line is not JSON",
        {
            "id": "story",
            "text": STORY,
            "outlet": "City Desk",
            "published_at": "2026-03-02T08:00:00Z",
        },
    ]
    infile = tmp_path / "in.jsonl"
    infile.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    )
    out = tmp_path / "out.jsonl"
    done = run_analyze(infile, out)
    assert done.returncode == 0, done.stderr
    assert "line 3" in done.stderr and "3 articles analyzed, 1 skipped" in done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["copy", "other", "story"]
    by_id = {r["id"]: r for r in records}
    (source,) = by_id["copy"]["sources"]
    assert (source["id"], source["relation"], source["confidence"]) == (
        "story",
        "copied-from",
        "high",
    )
    (copier,) = by_id["story"]["sources"]
    assert (copier["id"], copier["relation"]) == ("copy", "copied-by")
    assert by_id["other"]["sources"] == []
    assert not (tmp_path / "unused-data").exists()  # a scratch store, not the data dir


def test_analyze_reads_a_folder_of_text_files(tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "first.txt").write_text(STORY)
    (folder / "second.txt").write_text(COPY)
    out = tmp_path / "out.jsonl"
    done = run_analyze(folder, out)
    assert done.returncode == 0, done.stderr
    records = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert set(records) == {"first", "second"}
    (passage,) = records["second"]["passages"]
    assert COPY[passage["start"] : passage["end"]].startswith("The city's tram drivers")
    # Without publication times neither can be called the source.
    assert records["second"]["sources"][0]["relation"] == "common-source"
    assert records["second"]["sources"][0]["confidence"] == "low"


def test_analyze_skips_what_it_cannot_read_with_a_message_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    # A byte-order mark before the first line, a line that is not UTF-8, and an
    # article over the length limit: each is named, the others are analyzed.
    lines = [
        json.dumps({"id": "story", "text": STORY, "published_at": "2026-03-02T08:00:00Z"}),
        b'{"id": "latin1", "text": "Caf\xe9 owners"}',
        json.dumps({"id": "long", "text": OTHER * 20}),
        json.dumps({"id": "copy", "text": COPY, "published_at": "2026-03-02T12:00:00Z"}),
    ]
    infile = tmp_path / "in.jsonl"
    infile.write_bytes(
        b"\xef\xbb\xbf"
        + b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    )
    out = tmp_path / "out.jsonl"
    done = run_analyze(infile, out, WIRETRACE_MAX_TEXT_CHARS="1000")
    assert done.returncode == 0, done.stderr
    assert "line 2: not UTF-8 text" in done.stderr
    assert f"skipped long: text is {len(OTHER) * 20} characters; the limit is 1000" in done.stderr
    assert "2 articles analyzed, 2 skipped" in done.stderr
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"story", "copy"}
    assert records["copy"]["sources"][0]["id"] == "story"


def test_analyze_names_the_text_files_it_cannot_read(tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "first.txt").write_bytes(b"\xef\xbb\xbf" + STORY.encode())
    (folder / "second.txt").write_text(COPY)
    (folder / "latin1.txt").write_bytes(b"Caf\xe9 owners say trade is down.")
    (folder / "blank.txt").write_text("  \n")
    out = tmp_path / "out.jsonl"
    done = run_analyze(folder, out)
    assert done.returncode == 0, done.stderr
    assert "skipped latin1.txt: not UTF-8 text (byte 3)" in done.stderr
    assert "skipped blank.txt: text:" in done.stderr
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"first", "second"}
    assert records["first"]["sources"][0]["id"] == "second"
    (passage,) = records["first"]["passages"]
    # The mark is not part of the text: offsets count from the story's first letter.
    assert STORY[passage["start"] : passage["end"]].startswith("The city's tram drivers")


def test_analyze_stopped_by_sigterm_takes_its_scratch_redis_and_folder_with_it(
    tmp_path: Path,
) -> None:
    # A scheduler's time limit (or `timeout`) stops a long batch run with SIGTERM.
    infile = tmp_path / "in.jsonl"
    with infile.open("w") as out:
        for n in range(3000):
            out.write(json.dumps({"id": f"a{n}", "text": f"{STORY} Story {n}.\n\n{OTHER}"}) + "\n")
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["TMPDIR"] = str(scratch_parent)  # where the scratch store's folder is made
    run = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", "analyze", str(infile), "--out", str(tmp_path / "o")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pid_files = lambda: [  # noqa: E731
            p for p in scratch_parent.glob("wiretrace-scratch-*/redis.pid") if p.read_text()
        ]
        wait_for(lambda: bool(pid_files()), 60, "the scratch Redis")
        redis_pid = int(pid_files()[0].read_text())
        time.sleep(1)  # ingesting
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1 and "Aborted" in stderr
    wait_for(lambda: not alive(redis_pid), 30, "the scratch Redis to stop")
    assert list(scratch_parent.iterdir()) == []
