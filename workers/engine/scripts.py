"""Words of the scripts written without spaces between them.

Chinese, Japanese, Thai, Lao, Khmer and Burmese run their words together; Tibetan
separates syllables, not words. A run of letters of these scripts is cut into
words by ICU's word breaker (through ``icu4py``), which carries its own
dictionaries for Chinese and Japanese, Thai, Lao, Khmer and Burmese in the
wheel: nothing is downloaded at run time and no language is configured, since
the script of each run decides. ICU has no Tibetan dictionary and breaks
Tibetan at the tsheg, into syllables; most Tibetan words are one or two
syllables, so two syllables of a phrase make one word here (a phrase's first
and second, third and fourth...), which keeps word counts near their meaning.

Why a dictionary segmenter rather than character n-grams: the engine counts
words (shingles of four, passages of at least eight, sentences of at least six,
gaps of up to six), and dictionary words keep those counts near their meaning
in English, while a bigram a character makes a passage of eight "words" nine
characters, which two unrelated agency stories share in their datelines and set
phrases alone. ``docs/scripts.md`` gives the measurements.

ICU reads the whole text once; its word boundaries are kept inside the runs of
spaceless letters only (the words of other scripts are the engine's own, as
before). Offsets are in code points of the Python string: ICU reports UTF-16
offsets, converted here where a text holds characters beyond the Basic
Multilingual Plane.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import regex
from icu4py.breakers import WordBreaker

from workers.engine.fingerprint import distinct

# The scripts whose words are not separated by spaces, as a character class:
# letters of these scripts, and the prolonged sound mark (ー) that Japanese
# writes in both kana, which Unicode gives to no one script.
SPACELESS_SCRIPTS = ("Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan")
SPACELESS = "[" + "".join(rf"\p{{sc={s}}}" for s in SPACELESS_SCRIPTS) + r"\u30fc\uff70]"
_SPACELESS_CHAR = regex.compile(SPACELESS)
# A run of spaceless letters with their combining marks (the combining voiced
# sound mark is of no script).
SPACELESS_RUN = rf"(?:{SPACELESS}\p{{M}}*)+"
# The blocks those scripts' letters lie in, each searched as one range: a class of
# script properties, or of many ranges, costs the regex module a tenth of a
# millisecond and more on every article, and most articles hold none.
_SPACELESS_BLOCKS = tuple(
    regex.compile(block)
    for block in (
        "[\u0e00-\u109f]",  # Thai, Lao, Tibetan, Myanmar
        "[\u1780-\u17ff]",  # Khmer
        "[\u2e80-\U0003134f]",  # CJK (and, passed on to the exact test, Hangul)
    )
)
_TIBETAN_BLOCK = regex.compile("[\u0f00-\u0fff]")
_TSHEG = "\u0f0b"
_ONE_HAN = regex.compile(r"\p{sc=Han}")


def first_in_blocks(text: str) -> int | None:
    """Where ``text`` first holds a character of the blocks of the spaceless scripts
    (or of Hangul, or other East Asian blocks), if it does: a quick test that
    rules out most texts."""
    if text.isascii():
        return None
    found = [m.start() for block in _SPACELESS_BLOCKS if (m := block.search(text)) is not None]
    return min(found, default=None)


def has_spaceless(text: str) -> bool:
    """Whether ``text`` holds a letter of a script written without spaces."""
    first = first_in_blocks(text)
    return first is not None and _SPACELESS_CHAR.search(text, first) is not None


def dictionary_breaks(text: str) -> np.ndarray:
    """Where ICU's word breaker puts a boundary in ``text``, in code points, ascending."""
    bounds = chain.from_iterable(WordBreaker(text, "root").segments())
    starts = np.fromiter(bounds, dtype=np.int64)[0::2]
    utf16 = text.encode("utf-16-le")
    if len(utf16) == 2 * len(text):
        return starts
    # Characters beyond the Basic Multilingual Plane are two UTF-16 units.
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    units = np.concatenate(([0], np.cumsum(1 + (codes > 0xFFFF))))
    return np.searchsorted(units, starts).astype(np.int64)


def spaceless_words(
    text: str, run_starts: np.ndarray, run_ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the words of the runs ``[run_starts[i], run_ends[i])`` of
    spaceless letters of ``text`` (ascending, apart): the pieces between ICU's word
    boundaries that hold a letter or digit, Tibetan syllables paired."""
    breaks = dictionary_breaks(text)
    run = np.searchsorted(run_starts, breaks, "right") - 1
    inside = (run >= 0) & (breaks < run_ends[np.maximum(run, 0)])
    bounds = distinct(np.concatenate((run_starts, run_ends, breaks[inside])))
    starts, ends = bounds[:-1], bounds[1:]
    run = np.searchsorted(run_starts, starts, "right") - 1
    keep = (run >= 0) & (ends <= run_ends[np.maximum(run, 0)])
    alnum = np.fromiter(map(str.isalnum, text), dtype=np.int64, count=len(text))
    letters = np.concatenate(([0], np.cumsum(alnum)))
    keep &= letters[ends] > letters[starts]
    starts, ends = starts[keep], ends[keep]
    if not _TIBETAN_BLOCK.search(text):
        return starts, ends
    paired = paired_syllables(text, list(zip(starts.tolist(), ends.tolist(), strict=True)))
    bounds = np.array(paired, dtype=np.int64).reshape(-1, 2)
    return bounds[:, 0], bounds[:, 1]


def paired_syllables(text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``words`` with each Tibetan syllable joined to the next one of its phrase
    (the two separated by a tsheg alone), from the phrase's first syllable on."""
    paired: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None  # a Tibetan syllable waiting for its pair
    for start, end in words:
        tibetan = _TIBETAN_BLOCK.match(text, start) is not None
        if pending is not None and tibetan and text[pending[1] : start] == _TSHEG:
            paired.append((pending[0], end))
            pending = None
            continue
        if pending is not None:
            paired.append(pending)
            pending = None
        if tibetan:
            pending = (start, end)
        else:
            paired.append((start, end))
    if pending is not None:
        paired.append(pending)
    return paired


def is_counter(word: str) -> bool:
    """Whether ``word`` is a single Han character, which after a number is its
    counter or unit (the 6 and 月 of 6月, June; 12日, 3000吨) and forms one word
    with it, as "June" is one word in English."""
    return len(word) == 1 and _ONE_HAN.match(word) is not None
