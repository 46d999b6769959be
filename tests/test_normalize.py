"""Property tests (hypothesis) of kg.normalize: the offset map is exact, normalising is
idempotent, and no str input makes it raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.normalize import BLOCK_KINDS, char_map, normalize

# Characters that exercise every rule: Chinese text and punctuation, traditional forms,
# spaces of several kinds, line breaks, digits (also full-width), Latin letters, removed
# characters (NUL, BOM, zero-width space, U+FFFD, a lone surrogate) and an astral character.
ALPHABET = list("就业扶贫车间贫困户培训村镇区县人口元月日年摄李显彦徐泉铃")
ALPHABET += list("。，、；：！？“”（）《》…—")
ALPHABET += list("個們兒覆著餘")
ALPHABET += [" ", " ", "\u3000", "\t", "\n", "\n", "\n", "\r\n", "\n\n", "\n\n\n\n", "\r", "\u2028"]
ALPHABET += list("0123456789１２ABCabc.%/")
ALPHABET += ["\x00", "\ufeff", "\u200b", "\ufffd", "\ud800", "\U0001F600", "\U00020000"]

# Fragments of real OCR layout to recombine.
FRAGMENTS = [
    "家里公公智残、婆婆有高血压等慢性病，徐泉\n铃此前一直“被迫”在家照料一家老小，",
    "人 口 4299 人 ，实 现 了\n100%就业，建成5个扶\n",
    "和推荐工作，对我们贫困户来说实在是太友好\n\n了。”她说。\n",
    "不能\n外 出\n务 工 的\n问题，铜梁\n区科学规划，\n",
    "太平镇龙灯彩扎基地太平镇龙灯彩扎基地，，建卡贫困户在赶制灯笼建卡贫困户在赶制灯笼 摄摄//李显彦李显彦\n",
    "\n\n\n\n黔江区葛城工艺品加工就业扶贫车间，员工们在生产土家刺绣\n\n",
    "杨敏 吴志杰 图片由黔江区人力资源和社会保障局提供\n\n",
    "统筹推进精准对接\n铜梁区委、区政府高度重视\n\n",
    "濮阳县胡状镇天耕农业食用菌基地。 僧少琴 摄\n\n",
    "走出去 深化鲁渝劳务协作 转移就业助增收\n\n",
    " 脱贫攻坚工作开展以来，铜\n梁区人社部门深入贯彻落实党\n",
    "近 年 来 ，\n市人社局深入\n\n贯 彻 落 实 以\n\n",
    "他參加了SYB 創業培訓，月收入１２００元。\n",
]


def check_exact(raw: str):
    n = normalize(raw)
    assert len(n.offsets) == len(n.text)
    assert len(set(n.offsets)) == len(n.offsets), "two characters cite the same raw character"
    for ch, off in zip(n.text, n.offsets):
        assert 0 <= off < len(raw)
        mapped = char_map(raw[off])
        assert ch == mapped or (ch == "\n" and mapped == " "), (ch, raw[off])
    # blocks cover the text in order; offsets increase inside each block
    pos = 0
    for b in n.blocks:
        assert b.kind in BLOCK_KINDS
        assert b.start == pos and b.end > b.start
        cited = n.offsets[b.start:b.end]
        assert all(x < y for x, y in zip(cited, cited[1:]))
        pos = b.end
    assert pos == len(n.text)
    # paragraphs sit in blocks, sentences in paragraphs, none crossing
    assert len(n.paragraphs) == len(n.blocks)
    for (ps, pe), b in zip(n.paragraphs, n.blocks):
        assert b.start <= ps < pe <= b.end
        assert "\n" not in n.text[ps:pe]
    spans = iter(n.paragraphs)
    ps, pe = next(spans, (0, 0))
    for s, e in n.sentences:
        while s >= pe:
            ps, pe = next(spans)
        assert ps <= s < e <= pe
    return n


def check_idempotent(n):
    again = normalize(n.text)
    assert again.text == n.text
    assert again.offsets == list(range(len(n.text))) or again.text == ""


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.sampled_from(ALPHABET), max_size=300).map("".join))
def test_offsets_exact_and_idempotent_on_random_text(raw):
    check_idempotent(check_exact(raw))


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12, unique=True),
       st.lists(st.sampled_from(["", "\n", "\n\n", " ", "\n\n\n\n"]), min_size=12, max_size=12))
def test_offsets_exact_and_idempotent_on_broken_layouts(fragments, glue):
    raw = "".join(f + g for f, g in zip(fragments, glue))
    check_idempotent(check_exact(raw))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_text(raw):
    check_exact(raw)
