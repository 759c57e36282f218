"""Every script: words of the scripts written without spaces, sentence ends,
quotation marks, wire credits, and copies found on strings (no Redis).

All text here was written for these tests.
"""

from __future__ import annotations

import pytest

from tests.script_samples import ALL, BO, Sample, edit_every, partial_copy, under_furniture
from workers.engine.attribute import wire_credits
from workers.engine.classify import quote_spans
from workers.engine.compare import compare_articles, prepare_article
from workers.engine.document import prepare_document
from workers.engine.normalize import normalize
from workers.engine.scripts import has_spaceless
from workers.engine.segment import sentence_spans, word_bounds, word_spans
from workers.models import MatchedPassage
from workers.settings import Settings

SETTINGS = Settings()


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in word_spans(text)]


def sentences(text: str) -> list[str]:
    return [text[s:e].strip() for s, e in sentence_spans(text, 0, len(text))]


# --- words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新华社北京6月12日电", ["新华社", "北京", "6月", "12日", "电"]),
        (
            "東京都は新しい計画を発表した",
            ["東京", "都", "は", "新しい", "計画", "を", "発表", "した"],
        ),
        ("カタカナのテスト", ["カタカナ", "の", "テスト"]),
        ("สำนักข่าวไทยรายงานว่า", ["สำนัก", "ข่าว", "ไทย", "รายงาน", "ว่า"]),
        ("ລັດຖະບານໄດ້ອະນຸມັດແຜນການໃໝ່", ["ລັດຖະບານ", "ໄດ້", "ອະນຸມັດ", "ແຜນການ", "ໃໝ່"]),
        ("រដ្ឋាភិបាលបានអនុម័តផែនការថ្មី", ["រដ្ឋាភិបាល", "បាន", "អនុម័ត", "ផែនការ", "ថ្មី"]),
        ("အစိုးရသည်စီမံကိန်းအသစ်ကို", ["အစိုးရ", "သည်", "စီမံကိန်း", "အသစ်", "ကို"]),
        # ICU breaks Tibetan into syllables; two of a phrase make a word.
        ("བོད་ཀྱི་གསར་འགྱུར་ཁང་གིས།", ["བོད་ཀྱི", "གསར་འགྱུར", "ཁང་གིས"]),
    ],
)
def test_spaceless_scripts_break_into_dictionary_words(text: str, expected: list[str]) -> None:
    assert has_spaceless(text)
    assert words(text) == expected


def test_a_text_mixing_scripts_needs_no_language_setting() -> None:
    text = "The U.S. envoy met 新华社 reporters, and สำนักข่าวไทย said 14,000 people left."
    assert words(text) == [
        "The",
        "U.S",
        "envoy",
        "met",
        "新华社",
        "reporters",
        "and",
        "สำนัก",
        "ข่าว",
        "ไทย",
        "said",
        "14,000",
        "people",
        "left",
    ]


def test_words_of_spaced_scripts_are_as_before() -> None:
    text = "The U.S. army's 14,000 troops — Москва заявила, हिन्दी समाचार"
    assert not has_spaceless(text)
    expected = ["The", "U.S", "army's", "14,000", "troops", "Москва", "заявила", "हिन्दी"]
    assert words(text) == [*expected, "समाचार"]


def test_a_full_stop_between_arabic_script_words_parts_them() -> None:
    assert words("ذهب.وعاد بسرعة،ثم") == ["ذهب", "وعاد", "بسرعة", "ثم"]
    assert words("١٢.٥ بالمئة") == ["١٢.٥", "بالمئة"]  # a number keeps its decimal point


def test_offsets_count_characters_beyond_the_basic_plane() -> None:
    # ICU counts in UTF-16 units; 𠀀 (U+20000) is two of them and one character.
    text = "𠀀漢字と𠀁テキスト"
    assert words(text) == ["𠀀", "漢字", "と", "𠀁", "テキスト"]


@pytest.mark.parametrize(
    "text",
    [
        "ﾃｽﾄﾀﾞﾖ！　全角の１２３と半角ｶﾀｶﾅ",
        "Ｔｏｋｙｏで２０２６年６月に",
        "新華社「ニュース」𠀀と共同",
        "บ้าน ๑๒ หลัง  ครับ",
        BO.source,
    ],
)
def test_words_map_back_to_the_text_as_submitted(text: str) -> None:
    doc = prepare_document(text, shingle_size=4, min_words=8, max_words=40)
    assert len(doc.words) > 0
    for i in range(len(doc.words)):
        start, end = doc.word_span_to_original(i, i + 1)
        norm_start, norm_end = int(doc.word_starts[i]), int(doc.word_ends[i])
        assert normalize(text[start:end]).text == doc.norm.text[norm_start:norm_end]


def test_word_bounds_agree_with_word_spans() -> None:
    text = "東京で3日、Reuters reported 新たな計画。"
    starts, ends = word_bounds(text)
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == word_spans(text)


# --- sentences ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Urdu full stop, with and without a space after it.
        (
            "یہ پہلا جملہ ہے۔یہ دوسرا ہے۔ یہ تیسرا ہے",
            ["یہ پہلا جملہ ہے۔", "یہ دوسرا ہے۔", "یہ تیسرا ہے"],
        ),
        # Arabic question mark and semicolon; a full stop typed without a space.
        ("هل جاء؟نعم جاء؛ ثم ذهب.وعاد", ["هل جاء؟", "نعم جاء؛", "ثم ذهب.", "وعاد"]),
        # Devanagari danda and double danda.
        ("यह पहला वाक्य है।यह दूसरा है॥ तीसरा", ["यह पहला वाक्य है।", "यह दूसरा है॥", "तीसरा"]),
        # CJK full stop, exclamation and question marks (full width too), no spaces.
        ("他来了。她走了！真的吗？是的", ["他来了。", "她走了！", "真的吗？", "是的"]),
        ("本当！？そうだ", ["本当！？", "そうだ"]),
        # A closing bracket goes with its sentence.
        ("「行くよ。」と言った。次だ", ["「行くよ。」", "と言った。", "次だ"]),
        ("Նա եկավ։Նա գնաց։", ["Նա եկավ։", "Նա գնաց։"]),  # Armenian
        ("እሱ መጣ።እሷ ሄደች።", ["እሱ መጣ።", "እሷ ሄደች።"]),  # Ethiopic
        # Myanmar: the section sign ends a sentence, the little section (a comma) does not.
        ("ရန်ကုန်၊ မိုးရွာသည်။မန္တလေး", ["ရန်ကုန်၊ မိုးရွာသည်။", "မန္တလေး"]),
        ("គាត់បានមក។គាត់បានទៅ៕", ["គាត់បានមក។", "គាត់បានទៅ៕"]),  # Khmer
        ("ཁོ་ཡོང་བྱུང་། མོ་སོང་།", ["ཁོ་ཡོང་བྱུང་།", "མོ་སོང་།"]),  # Tibetan shad
        ("ܐܬܐ܀ܐܙܠ", ["ܐܬܐ܀", "ܐܙܠ"]),  # Syriac
    ],
)
def test_sentences_end_at_every_scripts_terminal(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_latin_full_stop_needs_a_space_after_it() -> None:
    text = "Rates rose 3.5 per cent, example.com said.Then nothing. Next"
    assert sentences(text) == ["Rates rose 3.5 per cent, example.com said.Then nothing.", "Next"]


@pytest.mark.parametrize(
    "text",
    [
        "他来了。她走了！真的吗？是的",
        "彼が来た．彼女は帰った！本当か？そうだ",
        "يہ پہلا ہے۔یہ دوسرا ہے؟یہ تیسرا ہے.اور چوتھا",
    ],
)
def test_a_documents_sentences_end_where_the_folded_text_has_ascii_marks(text: str) -> None:
    # Folding makes full-width ！？． the ASCII ! ? . with no space after them.
    doc = prepare_document(text, shingle_size=4, min_words=2, max_words=40)
    assert len(doc.sentences) == 4


def test_cjk_sentences_make_the_units_of_a_document() -> None:
    text = "国家气象局周三表示，南方多个省份本周将迎来强降雨。受降雨影响，部分河流水位明显上涨。"
    doc = prepare_document(text, shingle_size=4, min_words=2, max_words=40)
    assert len(doc.sentences) == 2
    first_end = doc.word_span_to_original(*doc.sentences[0])[1]
    assert text[:first_end].endswith("强降雨")


# --- quotation marks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("他说：「我们会来。」然后离开", ["「我们会来。」"]),
        ("他表示：“各地要加强监测。”", ["“各地要加强监测。”"]),
        ("他说‘好’字", ["‘好’"]),
        ("『本』と「言った『ね』」", ["『本』", "「言った『ね』」"]),
        ("〝大丈夫〟と話した", ["〝大丈夫〟"]),
        ('อธิบดีกล่าวว่า "ขอให้ติดตาม" พร้อมระบุ', ['"ขอให้ติดตาม"']),
        ("លោកថា «យើងនឹងជួយ» ។", ["«យើងនឹងជួយ»"]),
        ("「第一段\n\n「第二段」", ["「第一段", "「第二段」"]),  # a quotation running on
    ],
)
def test_quotation_marks_of_each_language(text: str, quoted: list[str]) -> None:
    assert [text[s:e] for s, e in quote_spans(text)] == quoted


# --- wire credits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wires"),
    [
        ("新华社北京6月12日电（记者 王磊）国家防总12日发布消息。", ["Xinhua"]),
        ("据新华社报道，会议于周三举行。", ["Xinhua"]),
        ("中新社东京6月12日电 日本政府12日宣布。", ["China News Service"]),
        ("来源：中新网", ["China News Service"]),
        ("【ワシントン共同】米政府は12日発表した。", ["Kyodo"]),
        ("気象庁は12日、警報を出した。（共同）", ["Kyodo"]),
        ("時事通信によると、政府は検討している。", ["Jiji"]),
        ("ロイター通信によると、株価が下がった。", ["Reuters"]),
        ("美联社记者报道，", ["AP"]),
        ("中央社台北12日電", ["CNA"]),
        ("กรุงเทพฯ 12 มิ.ย. - สำนักข่าวไทยรายงานว่า ฝนตกหนัก", ["TNA"]),
        ("ตามรายงานของสำนักข่าวรอยเตอร์ ราคาน้ำมันลดลง", ["Reuters"]),
        ("ที่มา: ซินหัว", ["Xinhua"]),
        ("ຂປລ ລາຍງານວ່າ ລັດຖະບານໄດ້ອະນຸມັດ", ["KPL"]),
    ],
)
def test_wire_credits_in_each_language(text: str, wires: list[str]) -> None:
    assert wire_credits(text) == wires


@pytest.mark.parametrize(
    "text",
    [
        "双方将共同努力，推动合作。",  # 共同: together
        "共同研究によると、効果があった。",  # a joint study
        "新华社发布了一则消息。",  # a mention, no credit form
        "抢险队员在堤坝上巡查（新华社记者 王磊 摄）",  # a photo credit
        "写真：共同",
        "ภาพ: รอยเตอร์",
    ],
)
def test_mentions_and_photo_credits_are_not_wire_credits(text: str) -> None:
    assert wire_credits(text) == []


# --- copies found on strings ------------------------------------------------------


def compare(a: str, b: str) -> list[MatchedPassage]:
    forward, _ = compare_articles(
        prepare_article(a, "A", SETTINGS), prepare_article(b, "B", SETTINGS), SETTINGS
    )
    return forward


def covered(passages: list[MatchedPassage], start: int, end: int) -> float:
    """Share of ``[start, end)`` inside the passages."""
    total, reached = 0, start
    for s, e in sorted((p.start, p.end) for p in passages):
        s, e = max(s, reached), min(e, end)
        if e > s:
            total, reached = total + e - s, e
    return total / (end - start)


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.script)
def test_a_verbatim_copy_under_other_furniture_is_found_whole(sample: Sample) -> None:
    copy = under_furniture(sample)
    passages = compare(copy, sample.source)
    start = copy.index(sample.source)
    assert covered(passages, start, start + len(sample.source)) >= 0.95
    assert covered(passages, 0, start) == 0  # the header is the site's own


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.script)
def test_a_light_edit_every_forty_characters_keeps_the_copy_found(sample: Sample) -> None:
    edited, count = edit_every(sample.source, 40)
    assert count >= len(sample.source) // 50
    assert covered(compare(edited, sample.source), 0, len(edited)) >= 0.8


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.script)
def test_a_partial_copy_is_found_where_it_was_copied(sample: Sample) -> None:
    copy = partial_copy(sample)
    passages = compare(copy.text, sample.source)
    assert covered(passages, *copy.copied) >= 0.8
    assert covered(passages, 0, copy.copied[0]) == 0  # the copier's own lead


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.script)
def test_an_unrelated_story_of_the_same_agency_and_day_matches_nothing(sample: Sample) -> None:
    assert compare(sample.unrelated, sample.source) == []
    assert compare(sample.source, sample.unrelated) == []
