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

Offsets are in code points of the Python string: ICU reports UTF-16 offsets,
converted here where a run holds characters beyond the Basic Multilingual Plane.
"""

from __future__ import annotations

from itertools import accumulate

import regex
from icu4py.breakers import WordBreaker

# The scripts whose words are not separated by spaces, as a character class:
# letters of these scripts, and the prolonged sound mark (ー) that Japanese
# writes in both kana, which Unicode gives to no one script.
SPACELESS_SCRIPTS = ("Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan")
SPACELESS = "[" + "".join(rf"\p{{sc={s}}}" for s in SPACELESS_SCRIPTS) + r"\u30fc\uff70]"
_SPACELESS_CHAR = regex.compile(SPACELESS)
# A run of spaceless letters with their combining marks (the combining voiced
# sound mark is of no script).
SPACELESS_RUN = rf"(?:{SPACELESS}\p{{M}}*)+"
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")
_TIBETAN = regex.compile(r"\p{sc=Tibetan}")
_TSHEG = "\u0f0b"
_ONE_HAN = regex.compile(r"\p{sc=Han}")


def has_spaceless(text: str) -> bool:
    """Whether ``text`` holds a letter of a script written without spaces."""
    return _SPACELESS_CHAR.search(text) is not None


def _utf16_to_code_points(run: str, offsets: list[int]) -> list[int]:
    """``offsets`` into the UTF-16 form of ``run`` as offsets into ``run`` itself."""
    if max(run) <= "\uffff":
        return offsets
    units = list(accumulate((2 if ord(c) > 0xFFFF else 1 for c in run), initial=0))
    position = {unit: i for i, unit in enumerate(units)}
    return [position[o] for o in offsets]


def dictionary_words(run: str) -> list[tuple[int, int]]:
    """``[start, end)`` in ``run`` of each word ICU's word breaker finds in it
    (pieces holding no letter or digit, such as punctuation, left out), Tibetan
    syllables paired."""
    bounds = [b for pair in WordBreaker(run, "root").segments() for b in pair]
    bounds = _utf16_to_code_points(run, bounds)
    words = [
        (start, end)
        for start, end in zip(bounds[0::2], bounds[1::2], strict=True)
        if _WORDLIKE.search(run, start, end)
    ]
    return paired_syllables(run, words) if _TIBETAN.search(run) else words


def paired_syllables(run: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``words`` with each Tibetan syllable joined to the next one of its phrase
    (the two separated by a tsheg alone), from the phrase's first syllable on."""
    paired: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None  # a Tibetan syllable waiting for its pair
    for start, end in words:
        tibetan = _TIBETAN.match(run, start) is not None
        if pending is not None and tibetan and run[pending[1] : start] == _TSHEG:
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
