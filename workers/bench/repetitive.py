"""The engine on the worst inputs we could construct: long repetitive texts
inside the service's limits, each compared with copies of itself (a POST whose
candidates are earlier POSTs of the same text). Prints one JSON line a case:
its size, the seconds of the comparisons and the process's peak memory.

    python -m workers.bench.repetitive [CASE ...] [--candidates N]

Each case runs in a process of its own, so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

from workers.engine.compare import compare_with_candidates, prepare_article
from workers.engine.params import EngineParams

# About 750 KB each, and at most rewrite_max_units (3,000) units, so that the
# rewrite stage takes part: its work grew with the product of repeated units.
WORDS = 120_000


def case_text(case: str) -> str:
    rng = random.Random(1)
    if case == "two-words":  # the paragraph: two words in turn
        return ("hello world " * (WORDS // 2)).strip()
    if case == "two-word-halves":  # one word repeated, then the other
        return ("hello " * (WORDS // 2) + "world " * (WORDS // 2)).strip()
    if case == "two-word-blocks":  # 40 of one word, 40 of the other, and so on
        return " ".join(("hello " * 40 + "world " * 40).strip() for _ in range(WORDS // 80))
    if case == "repeats-8":  # 375 distinct 40-word sentences, each 8 times, shuffled
        vocabulary = [f"w{i:05d}" for i in range(20_000)]
        lines = [" ".join(rng.choice(vocabulary) for _ in range(39)) + "." for _ in range(375)]
        order = [line for line in lines for _ in range(8)]
        rng.shuffle(order)
        return " ".join(order)
    if case == "vocabulary-100":  # random words of a vocabulary of 100
        vocabulary = [f"w{i}" for i in range(100)]
        return " ".join(rng.choice(vocabulary) for _ in range(WORDS))
    raise ValueError(f"no case {case!r}")


CASES = ["two-words", "two-word-halves", "two-word-blocks", "repeats-8", "vocabulary-100"]


def measure(case: str, candidates: int) -> dict[str, object]:
    """Compare the case's text with ``candidates`` copies of it, in this process."""
    params = EngineParams()
    text = case_text(case)
    article = prepare_article(text, None, params)
    others = [prepare_article(text, None, params) for _ in range(candidates)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    compare_with_candidates(article, others, params)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "case": case,
        "chars": len(text),
        "units": len(article.doc.units),
        "candidates": candidates,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak / 1024),
        "rss_before_mb": round(before / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=CASES, help=f"of {CASES}")
    parser.add_argument("--candidates", type=int, default=1)
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        [case] = args.cases
        print(json.dumps(measure(case, args.candidates)), flush=True)
        return
    for case in args.cases:
        command = [sys.executable, "-m", "workers.bench.repetitive", case, "--in-process"]
        subprocess.run([*command, "--candidates", str(args.candidates)], check=True)


if __name__ == "__main__":
    main()
