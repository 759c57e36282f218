"""Credit: whether an article that took copy says where it took it from.

Press agencies and publishers sort the copies of their text into credited and
uncredited ones (the UK's NLA adds clone sites). A copying article credits its
source when it carries, anywhere in its text:

- ``link``: the source's URL (scheme, ``www.`` and a closing ``/`` aside);
- ``line``: a "Source: ..." / "Via ..." line naming the source's outlet or its
  site's host (for wire copy, "Source: AP" is one of the wire's credits);
- ``wire``: a credit of the wire the copied text is attributed to ("(AP) —",
  "Associated Press contributed", ...: :mod:`workers.engine.attribute`);
- ``name``: the source outlet's name (or its site's host), as whole words.

The text is searched whole, the copied stretch included: a copy that keeps the
source's own dateline or copyright line carries the credit to its readers.
Outlet names shorter than three characters are not searched for on their own
(too many words are spelled like them); their URL or host still counts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

import regex

from workers.engine.attribute import (
    DEFAULT_WIRE_PATTERNS,
    WirePatterns,
    credit_positions,
    fold_for_names,
)
from workers.models import StoredArticle

CreditKind = Literal["link", "line", "wire", "name"]

_MIN_NAME_CHARS = 3
# A "Source: ..." or "Via ..." line, or a running "... via <name>" (the name follows).
_LINE_START = r"(?:^|\n)[ \t]*(?:source|sources|via|originally published (?:by|in|at)|"
_LINE_START += r"first published (?:by|in|at)|republished from|reprinted from)\b[ \t]*:?[ \t]*"


# Each pair of articles asks for its source's names and URL form again (a wire
# story's, as the source of every outlet that ran it): a few URL parses a call.
@lru_cache(maxsize=4096)
def _url_form(url: str) -> str:
    """``url`` as a copy would likely print it: lowercased, no scheme, no
    ``www.``, no closing slash."""
    parts = urlsplit(url.strip().lower())
    host = parts.netloc.removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}{'?' + parts.query if parts.query else ''}"


@lru_cache(maxsize=4096)
def source_names(outlet: str | None, url: str | None) -> tuple[str, ...]:
    """The names a copy may credit a source by: its outlet (and the outlet without
    a leading "The"), and its site's host (without ``www.``)."""
    names: list[str] = []
    if outlet and outlet.strip():
        name = outlet.strip()
        names.append(name)
        if name.lower().startswith("the ") and len(name) > 4 + _MIN_NAME_CHARS:
            names.append(name[4:])
    if url:
        host = urlsplit(url.strip()).hostname
        if host:
            names.append(host.removeprefix("www."))
    return tuple(dict.fromkeys(n for n in names if len(n) >= _MIN_NAME_CHARS))


@lru_cache(maxsize=1024)
def _names_pattern(names: tuple[str, ...]) -> regex.Pattern[str]:
    alternatives = "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True))
    return regex.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\w)", regex.IGNORECASE)


@lru_cache(maxsize=1024)
def _line_pattern(names: tuple[str, ...]) -> regex.Pattern[str]:
    alternatives = "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True))
    # A credit line names the source within its first few words ("Source: the
    # Daily Planet", "Via dailyplanet.example"); "via" also credits mid-sentence.
    return regex.compile(
        rf"(?:{_LINE_START}(?:[^\n]{{0,40}}?)|\bvia[ \t]+(?:the[ \t]+)?)"
        rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\w)",
        regex.IGNORECASE,
    )


def credit_of(
    copier: StoredArticle,
    source: StoredArticle,
    wire: str | None,
    patterns: WirePatterns = DEFAULT_WIRE_PATTERNS,
) -> CreditKind | None:
    """How ``copier`` credits ``source`` for copy attributed to ``wire`` (None:
    not wire copy), the most explicit way first; None if it does not."""
    link = _url_form(source.url) if source.url else ""
    return _credit(copier.text, link, source_names(source.outlet, source.url), wire, patterns)


# The same pair is asked about for the origins record and again for the copies
# lists, and a wire story's text as the copier of every outlet that ran it.
@lru_cache(maxsize=4096)
def _credit(
    text: str, link: str, names: tuple[str, ...], wire: str | None, patterns: WirePatterns
) -> CreditKind | None:
    folded = fold_for_names(text)
    if link and link in folded:
        return "link"
    # Most copies name nothing of their source: a substring test rules the
    # searches out at a fraction of their cost (the patterns match these
    # names, case aside, so no name in the text means no match).
    named = tuple(n for n in names if fold_for_names(n) in folded)
    # A "Source: AP" or "via Reuters" line is one of the wire's own credit forms
    # (attribute.py), found below as a wire credit.
    if named and _line_pattern(named).search(text):
        return "line"
    if wire is not None and any(w == wire for _, w in credit_positions(text, patterns)):
        return "wire"
    if named and _names_pattern(named).search(text):
        return "name"
    return None
