"""Search terms of a cluster member: what the near-duplicates list's search box finds.

The store keeps, per term, the set of clusters whose members carry it; a search
intersects the sets of its terms.
"""

from __future__ import annotations

import regex

from workers.engine.clusters import Member

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]{2,}")


def search_words(text: str) -> list[str]:
    """Lower-cased words of two or more letters or digits, as the search box splits them."""
    return [w.casefold() for w in _WORD.findall(text)]


def url_term(url: str) -> str:
    """The term an exact URL is indexed under."""
    return "url:" + url.strip().casefold()


def member_terms(member: Member) -> set[str]:
    """What finds a cluster member in the search box: the words of its title, of
    its passage's start (as the list shows it) and of its URL, and the URL whole.
    Derived from the member record alone, so that taking a member out of the
    index removes exactly what putting it in added."""
    terms = set(search_words(member.snippet)) | set(search_words(member.title or ""))
    if member.url:
        terms.add(url_term(member.url))
        terms.update(search_words(member.url))
    return terms
