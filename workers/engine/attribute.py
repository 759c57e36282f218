"""Attribution: which wire a text credits, and which of two articles came first.

A wire credit ("MOSCOW (AP) —", "(Reuters) -", "As reported by the AP",
"Associated Press contributed", "PTI reported") marks an article as carrying
that wire's copy. Two outlets carrying the same wire text are *common-source*:
neither copied the other. Otherwise the earlier ``published_at`` is the source;
equal or missing times cannot say who was first, and the record says so with a
lower confidence instead of trusting the order things were ingested in.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

import regex

from workers.engine.scripts import first_in_blocks, has_spaceless
from workers.models import Confidence

# Wire name -> the names it is credited by in running text, in the languages that
# carry its copy.
DEFAULT_WIRES: dict[str, list[str]] = {
    "AP": ["AP", "Associated Press", "The Associated Press", "美联社", "美聯社", "AP通信", "เอพี"],
    "Reuters": ["Reuters", "Thomson Reuters", "路透社", "ロイター", "รอยเตอร์"],
    "AFP": [
        "AFP",
        "Agence France-Presse",
        "Agence France Presse",
        "法新社",
        "AFP通信",
        "AFP時事",
        "เอเอฟพี",
    ],
    "PA": ["PA", "PA Media", "Press Association", "PA Wire"],
    "PTI": ["PTI", "Press Trust of India"],
    "Bloomberg": ["Bloomberg", "Bloomberg News", "彭博社", "ブルームバーグ", "บลูมเบิร์ก"],
    "The Guardian": ["The Guardian", "Guardian"],
    "dpa": ["dpa", "Deutsche Presse-Agentur"],
    "ANI": ["ANI", "Asian News International"],
    "UPI": ["UPI", "United Press International"],
    "Xinhua": [
        "Xinhua",
        "Xinhua News Agency",
        "新华社",
        "新華社",
        "新华通讯社",
        "新華通訊社",
        "新华网",
        "新華網",
        "ซินหัว",
    ],
    "China News Service": ["China News Service", "中新社", "中国新闻社", "中國新聞社", "中新网"],
    "Kyodo": ["Kyodo", "Kyodo News", "共同通信", "共同通信社", "共同社", "共同"],
    "Jiji": ["Jiji", "Jiji Press", "時事通信", "時事通信社", "时事社", "時事"],
    "Yonhap": ["Yonhap", "Yonhap News Agency", "연합뉴스", "韩联社", "韓聯社", "聯合ニュース"],
    "CNA": ["Central News Agency", "中央社", "中央通訊社", "中央通讯社"],
    "TNA": ["TNA", "Thai News Agency", "สำนักข่าวไทย"],
    "KPL": ["KPL", "Lao News Agency", "ຂປລ", "ສຳນັກຂ່າວສານປະເທດລາວ"],
    "AKP": ["AKP", "Agence Kampuchea Presse", "ទីភ្នាក់ងារសារព័ត៌មានកម្ពុជា", "អ.ស.ក"],
    "VNA": ["VNA", "Vietnam News Agency", "TTXVN"],
}

# Credit forms around a wire name {w}.
_CREDIT_FORMS = [
    r"\({w}\)",  # MOSCOW (AP) — / (Reuters) -
    r"\([^()\n=]{{1,20}}={w}\)",  # (서울=연합뉴스)
    r"\b(?:as |first )?reported by (?:the )?{w}\b",
    r"\b{w} (?:reported|contributed|said in a report|reports)\b",
    # Not "from": "a grant from Bloomberg Philanthropies" credits nobody.
    r"\b(?:according to|via|courtesy of|source:) (?:the )?{w}\b",
    r"\b(?:writers?|reporters?|correspondents?|staff) (?:of|for|at) (?:the )?{w}\b",
    r"\b(?:copyright|©) (?:\d{{4}} )?(?:the )?{w}\b",
    r"\b{w} (?:news agency|wire|writers?|reporters?)\b",
]
# The forms of languages written without spaces, where a name has no word
# boundary around it: a credit in brackets, after a city (（共同）, 【ワシントン共同】,
# （新华社）, (รอยเตอร์)); a dateline (新华社北京6月12日电); a byline (新华社记者);
# "according to" (据新华社报道, 共同通信によると, ตามรายงานของสำนักข่าวรอยเตอร์);
# "... reports" (สำนักข่าวไทยรายงาน); a source line (来源：新华社, ที่มา: ...); a
# closing ＝共同. Searched only in texts holding letters of those scripts.
_SPACELESS_CREDIT_FORMS = [
    r"[（(【〔［\[][\p{{sc=Han}}\p{{sc=Katakana}}\p{{sc=Hiragana}}ー・]{{0,12}}{w}\s*[）)】〕］\]]",
    r"{w}[^\s，。,]{{0,10}}?\d{{1,2}}日[电電]",
    r"{w}(?:记者|記者|讯|訊)",
    r"[据據]{w}(?:报道|報道|消息|称|稱|电|電)",
    r"{w}(?:通信)?(?:によると|によれば|が報じた|は伝えた|が伝えた)",
    r"ตามรายงานของ\s*(?:สำนักข่าว)?\s*{w}",
    r"(?:อ้างอิง|อ้าง)(?:จาก)?\s*(?:สำนักข่าว)?\s*{w}",
    r"(?:สำนักข่าว)?{w}\s*(?:รายงาน|ระบุ|ລາຍງານ|រាយការណ៍)",
    r"(?:来源|來源|稿源|出典|出处|出處|ที่มา)\s*[:：]\s*{w}",
    r"[＝=]{w}(?=[\s）)】]|$)",
]


class Relation(StrEnum):
    COPIED_FROM = "copied-from"
    COMMON_SOURCE = "common-source"
    COPIED_BY = "copied-by"


def _name_pattern(names: Iterable[str]) -> str:
    # Acronyms keep their case ("AP", not "ap" or "Ap"); full names do not need to.
    return "|".join(
        f"(?-i:{regex.escape(n)})" if n.isupper() else regex.escape(n)
        for n in sorted(names, key=len, reverse=True)
    )


# The only non-ASCII characters that IGNORECASE matching takes for an ASCII letter.
_ASCII_LOOKALIKES = str.maketrans({"\u0130": "i", "\u017f": "s", "\u212a": "k"})
_LOOKALIKE_CHARS = ("\u0130", "\u017f", "\u212a")


@dataclass(frozen=True)
class WirePattern:
    """One wire's credit forms, and the names every credit must contain.

    Searching ten case-insensitive alternations over a whole article costs
    milliseconds; a plain substring test for the wire's names rules most wires
    out first, with the same result: no name, no credit.
    """

    pattern: regex.Pattern[str]
    spaceless_pattern: regex.Pattern[str]  # the forms of languages written without spaces
    exact_names: tuple[str, ...]  # acronyms: matched with their case
    folded_names: tuple[str, ...]  # other ASCII names: matched in any case
    script_names: tuple[str, ...]  # names in caseless scripts (新华社, สำนักข่าวไทย)
    always_search: bool  # a name with non-ASCII cased letters: substrings cannot rule it out
    one_line: bool  # no name holds a line break: no credit of the running-text forms spans two

    def may_occur(self, text: str, folded: str, east_asian: bool = True) -> bool:
        """Whether one of the names is in ``text`` (``folded``: :func:`fold_for_names` of
        it; ``east_asian``: whether it holds characters of the blocks of the caseless
        scripts, without which no name of those scripts is looked for)."""
        return self.always_search or (
            any(name in text for name in self.exact_names)
            or any(name in folded for name in self.folded_names)
            or (east_asian and any(name in text for name in self.script_names))
        )

    def starts(
        self, text: str, folded: str, lines: Sequence[Line], spaceless: bool, east_asian: bool
    ) -> Iterator[int]:
        """The offset of every credit in ``text`` (``folded``: :func:`fold_for_names` of
        it; ``lines``: :func:`text_lines` of it); the forms of spaceless languages
        too when ``spaceless`` (the text holds letters of such scripts;
        ``east_asian``: see :meth:`may_occur`).

        A credit of the running-text forms keeps to one line (their words are
        joined by spaces, and no name holds a line break), so only the lines
        naming the wire are searched: an article names it on a line or two of
        dozens, and searching all of them was a third of the time spent attributing.
        """
        if self.one_line:
            for line in self.lines_naming(text, folded, lines, east_asian):
                yield from (line.start + m.start() for m in self.pattern.finditer(line.text))
        else:
            yield from (m.start() for m in self.pattern.finditer(text))
        if spaceless:  # these forms may run across a line break (\s*)
            yield from (m.start() for m in self.spaceless_pattern.finditer(text))

    def lines_naming(
        self, text: str, folded: str, lines: Sequence[Line], east_asian: bool
    ) -> Sequence[Line]:
        """The lines of which :meth:`may_occur` says yes, found from where the names
        are in the whole text: no name holds a line break, so a line holds one
        exactly where the text does within the line, and lowercasing a text is
        lowercasing each of its lines (:func:`fold_for_names` keeps every offset).
        A few searches of the text instead of some for every line."""
        if self.always_search:
            return lines
        searches = [(text, self.exact_names), (folded, self.folded_names)]
        if east_asian:
            searches.append((text, self.script_names))
        found = set()
        for haystack, names in searches:
            for name in names:
                at = haystack.find(name)
                while at >= 0:
                    found.add(at)
                    at = haystack.find(name, at + 1)
        if not found:
            return []
        starts = [line.start for line in lines]
        return [lines[i] for i in sorted({bisect_right(starts, at) - 1 for at in found})]


class Line(NamedTuple):
    """A line of a text, and where it starts."""

    start: int
    text: str


def text_lines(text: str) -> list[Line]:
    """``text`` cut at its line breaks."""
    lines = []
    start = 0
    for line in text.split("\n"):
        lines.append(Line(start, line))
        start += len(line) + 1
    return lines


def _has_cased_non_ascii(name: str) -> bool:
    """Whether ``name`` has a letter outside ASCII that has case: case-insensitive
    matching may then take forms that lowercasing does not give. Names of
    caseless scripts (Han, kana, Thai...) are found by a plain substring test."""
    return any(c.lower() != c.upper() for c in name if not c.isascii())


def fold_for_names(text: str) -> str:
    """``text`` lowercased so that any case-insensitive match of an ASCII name in it
    is a plain substring of the result."""
    if any(lookalike in text for lookalike in _LOOKALIKE_CHARS):
        text = text.translate(_ASCII_LOOKALIKES)
    return text.lower()


@dataclass(frozen=True, eq=False)
class WirePatterns:
    """Every wire's :class:`WirePattern`, by wire name.

    Compared by identity: a set of patterns is compiled once (the built-in ones,
    or those of a configuration) and keys the cache of credits found with it.
    """

    by_wire: Mapping[str, WirePattern]


def _needles(names: list[str]) -> dict[str, tuple[str, ...]]:
    """The substrings a text must hold to credit a wire of ``names``: acronyms with
    their case, other ASCII names lowercased, names of caseless scripts as they
    are; a name holding a shorter one of its kind is left out (the shorter is
    there whenever it is), and so is a script name holding an acronym (AP通信)."""
    exact = [n for n in names if n.isupper() and n.isascii()]
    folded = [n.lower() for n in names if not n.isupper() and n.isascii()]
    script = [n for n in names if not n.isascii()]

    def shortest(found: list[str], also: tuple[str, ...] = ()) -> tuple[str, ...]:
        return tuple(n for n in found if not any(m in n and m != n for m in (*found, *also)))

    return {
        "exact_names": shortest(exact),
        "folded_names": shortest(folded),
        "script_names": shortest(script, tuple(exact)),
    }


def _forms_pattern(forms: list[str], names: list[str]) -> regex.Pattern[str]:
    """A case-insensitive pattern matching any of ``forms`` around any of ``names``."""
    return regex.compile(
        "|".join(f.format(w=f"(?:{_name_pattern(names)})") for f in forms), regex.IGNORECASE
    )


def compile_wire_patterns(wires: Mapping[str, list[str]]) -> WirePatterns:
    """Case-insensitive patterns per wire matching any of its credit forms."""
    return WirePatterns(
        {
            wire: WirePattern(
                pattern=_forms_pattern(_CREDIT_FORMS, names),
                spaceless_pattern=_forms_pattern(_SPACELESS_CREDIT_FORMS, names),
                **_needles(names),
                always_search=any(map(_has_cased_non_ascii, names)),
                one_line=not any("\n" in name for name in names),
            )
            for wire, names in wires.items()
        }
    )


DEFAULT_WIRE_PATTERNS = compile_wire_patterns(DEFAULT_WIRES)


@lru_cache(maxsize=8)
def _compiled(wires: str) -> WirePatterns:
    return compile_wire_patterns(json.loads(wires))


def wire_patterns(extra: Mapping[str, list[str]]) -> WirePatterns:
    """Patterns for the built-in wires plus ``extra`` ones (a configured wire of an
    existing name replaces its credited names)."""
    if not extra:
        return DEFAULT_WIRE_PATTERNS
    return _compiled(json.dumps({**DEFAULT_WIRES, **extra}, sort_keys=True))


# Photo credits say who took a picture, not who wrote the text: a caption's closing
# "(... via AP)" or "(AP Photo/...)", "Photo: Reuters", "AFP via Getty Images".
# Each form with the text its matches always hold (lowercased): a form whose
# text is absent cannot match, and a search for the others alone finds the same.
_PHOTO_CREDIT_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\([^()\n]{0,200}\)[ \t]*(?=\n|$)", (")",)),  # a parenthesised credit closing a paragraph
    (r"\b[\w.-]+ (?:Photo|Foto)\b[^\n)]{0,80}", ("photo", "foto")),  # AP Photo/Name
    (
        r"\b(?:Photo|Photograph|Image|Picture|Foto)s?(?: by)?: [^\n]{0,80}",
        ("photo", "image", "picture", "foto"),
    ),
    (r"\b[\w.-]+ via Getty Images\b", ("getty",)),
    # （新华社记者 王磊 摄）, a caption's closing 新华社记者王磊摄 (摄: photographed).
    (r"[（(][^（）()\n]{0,40}[摄攝][）)]|[^\n。]{0,30}[摄攝][ \t]*(?=\n|$)", ("摄", "攝")),
    # 图/新华社, 写真：共同, ภาพ: รอยเตอร์ (picture:).
    (
        r"(?:图片|圖片|图|圖|写真|ภาพ)(?:来源|來源|提供|จาก)?\s*[:：/／]\s*[^\n]{0,40}",
        ("图", "圖", "写真", "ภาพ"),
    ),
)


@lru_cache(maxsize=16)
def _photo_credit_pattern(forms: tuple[int, ...]) -> regex.Pattern[str]:
    return regex.compile("|".join(_PHOTO_CREDIT_FORMS[i][0] for i in forms), regex.IGNORECASE)


def _without_photo_credits(text: str, folded: str) -> str:
    """``text`` with photo credits blanked out, offsets unchanged (``folded``:
    :func:`fold_for_names` of it). Searching every form on every word costs
    milliseconds an article; most articles can hold only the first."""
    forms = tuple(
        i
        for i, (_, needles) in enumerate(_PHOTO_CREDIT_FORMS)
        if any(needle in folded for needle in needles)
    )
    if not forms:
        return text
    return _photo_credit_pattern(forms).sub(lambda m: " " * len(m.group()), text)


# Credits are looked for in an article when it is ingested and again each time an
# origins record shows it, its own or as a source of another (a wire story's
# text, as the source of each outlet that ran it): a regex search of a few tenths
# of a millisecond, most of building an origins record. Texts are few and recur.
@lru_cache(maxsize=2048)
def credit_positions(
    text: str, patterns: WirePatterns = DEFAULT_WIRE_PATTERNS
) -> tuple[tuple[int, str], ...]:
    """``(offset, wire)`` of every wire credit in ``text``, in text order."""
    folded = fold_for_names(text)
    first = first_in_blocks(text)  # no name of a caseless script is elsewhere
    candidates = {
        w: p for w, p in patterns.by_wire.items() if p.may_occur(text, folded, first is not None)
    }
    if not candidates:
        return ()
    plain = _without_photo_credits(text, folded)
    plain_folded = folded if plain is text else fold_for_names(plain)
    east_asian = first is not None
    spaceless = east_asian and has_spaceless(text)
    lines = text_lines(plain)
    return tuple(
        sorted(
            {
                (start, wire)
                for wire, p in candidates.items()
                for start in p.starts(plain, plain_folded, lines, spaceless, east_asian)
            }
        )
    )


def wire_credits(text: str, patterns: WirePatterns = DEFAULT_WIRE_PATTERNS) -> list[str]:
    """The wires ``text`` credits, in the order of their first credit."""
    return list(dict.fromkeys(wire for _, wire in credit_positions(text, patterns)))


def _nearest_credit(
    credits: Sequence[tuple[int, str]], start: int, end: int
) -> tuple[tuple[int, int], str] | None:
    """The credit that best covers ``[start, end)``, with its rank (lower is better):
    one inside it, else the nearest before it (a dateline, "As reported by the
    AP:"), else the nearest after it (a closing "Associated Press contributed")."""
    ranked = [
        ((0, 0) if start <= pos < end else (1, start - pos) if pos < start else (2, pos - end), w)
        for pos, w in credits
    ]
    return min(ranked) if ranked else None


def passage_wire(
    span: tuple[int, int],
    source_span: tuple[int, int],
    credits: Sequence[tuple[int, str]],
    source_credits: Sequence[tuple[int, str]],
) -> str | None:
    """The wire a copied passage is credited to, from the credits of both texts.

    A wire both texts credit is preferred (two outlets running the same wire
    story); otherwise the credit nearest the passage in either text.
    """
    common = {w for _, w in credits} & {w for _, w in source_credits}
    if common:
        credits = [c for c in credits if c[1] in common]
        source_credits = [c for c in source_credits if c[1] in common]
    found = [
        c
        for c in (_nearest_credit(credits, *span), _nearest_credit(source_credits, *source_span))
        if c is not None
    ]
    return min(found)[1] if found else None


def relation_between(
    published_at: datetime | None, source_published_at: datetime | None, wire: str | None
) -> tuple[Relation, Confidence]:
    """How this article relates to a source it copies text with, and how sure we are.

    Wire copy is common-source; otherwise the earlier time is the source. Equal or
    missing times cannot say who was first: common-source, with low confidence.
    """
    if wire is not None:
        return Relation.COMMON_SOURCE, "high"
    if published_at is None or source_published_at is None:
        return Relation.COMMON_SOURCE, "low"
    if source_published_at < published_at:
        return Relation.COPIED_FROM, "high"
    if source_published_at > published_at:
        return Relation.COPIED_BY, "high"
    return Relation.COMMON_SOURCE, "low"
