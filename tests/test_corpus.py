"""Tests of kg.corpus: encodings, bad inputs, the manifest, and reading whole folders."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from kg.corpus import MANIFEST_NAME, Article, decode, read_article, read_corpus, read_manifest
from kg.errors import InputError

DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEEDS = sorted(CORPUS.glob("*.txt"))


def reason_of(path: Path, **kw) -> str:
    with pytest.raises(InputError) as err:
        read_article(path, **kw)
    assert str(err.value).startswith(str(path)), "the message names the file"
    assert "\n" not in str(err.value), "one line"
    return err.value.reason


# --------------------------------------------------------------------------- encodings
def test_reads_utf8_with_bom_and_strips_it():
    a = read_article(DATA / "reader_bom.txt")
    assert a.meta.encoding == "utf-8-sig"
    assert a.raw.startswith("徐泉铃正想着") and "\ufeff" not in a.raw
    assert a.raw == (DATA / "reader_bom.txt").read_text(encoding="utf-8-sig")     # line breaks untouched
    assert a.meta.sha256 == hashlib.sha256((DATA / "reader_bom.txt").read_bytes()).hexdigest()
    assert a.meta.chars == len(a.raw)


def test_reads_gbk_encoded_text():
    a = read_article(DATA / "reader_gbk.txt")
    assert a.meta.encoding == "gb18030"
    assert a.raw.startswith("就业，是重要的民生\n工程。")
    assert "人口4299人，实现了100%就业。" in a.normalize().text


def test_reads_big5_traditional_text_and_simplifies_it():
    a = read_article(DATA / "reader_big5.txt")
    assert a.meta.encoding == "big5"
    assert a.raw.startswith("坐在徐泉鈴後面的王世蓮同樣是貧困戶，\n")      # raw stays as decoded
    assert a.normalize().text == (
        "坐在徐泉铃后面的王世莲同样是贫困户，丈夫得了糖尿病和骨质增生，劳力不够，也只能在附近打零工。"
        "「这个培训班不错，听说培训的护理内容都是社会上急需的，像保姆、医院陪护等，工作不是太累，收入都还不错，"
        "家里看到了希望。」她高兴地说。")
    n = a.normalize()
    assert a.raw[n.offsets[n.text.index("铃")]] == "鈴"       # the offset map cites the raw character


def test_reads_utf16_with_bom(tmp_path):
    p = tmp_path / "utf16.txt"
    p.write_bytes("就业扶贫车间吸纳50人就业。\n".encode("utf-16"))
    a = read_article(p)
    assert a.meta.encoding == "utf-16" and a.raw == "就业扶贫车间吸纳50人就业。\n"


def test_decode_prefers_the_likelier_of_gb18030_and_big5():
    text = "建卡贫困户在村里的扶贫车间工作，每月工资2000元左右，周末和节假日还能休息。"
    data = text.encode("gb18030")
    assert decode(data) == (text, "gb18030")
    trad = "建卡貧困戶在村裡的扶貧車間工作，每月工資2000元左右，週末和節假日還能休息。"
    assert decode(trad.encode("big5")) == (trad, "big5")


# --------------------------------------------------------------------------- bad inputs
def test_rejects_an_empty_file(tmp_path):
    assert reason_of(DATA / "bad_empty.txt") == "empty file"
    blank = tmp_path / "blank.txt"
    blank.write_text("\n \n\u3000\n", encoding="utf-8")
    assert reason_of(blank) == "empty file"


def test_rejects_binary_data(tmp_path):
    assert reason_of(DATA / "bad_binary.txt") == "binary data (PNG image), not text"
    nul = tmp_path / "nul.txt"
    nul.write_bytes("就业扶贫".encode() + b"\x00\x00\x01\x02" * 50)
    assert reason_of(nul) == "binary data, not text"


def test_rejects_undecodable_bytes():
    assert reason_of(DATA / "bad_undecodable.txt") == "undecodable bytes (not UTF-8, GB18030 or Big5)"


def test_rejects_a_20_mb_file(tmp_path):
    big = tmp_path / "big.txt"
    line = "就业扶贫车间吸纳贫困人员就业。\n".encode()
    with big.open("wb") as f:
        for _ in range(20 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    assert reason_of(big) == "too large (20.0 MB > 5 MB limit)"
    assert reason_of(big, max_bytes=1024) == "too large (20.0 MB > 1024 bytes limit)"


def test_reads_an_html_page_saved_as_txt_as_the_page_it_is():
    """A page saved as .txt goes through the HTML reader: its script and markup are not text."""
    a = read_article(DATA / "bad_page.txt")
    assert a.meta.format == "html" and a.meta.encoding == "utf-8"
    assert "近年来，永川区紧紧围绕着促进就业为工作重点。" in a.raw
    assert "<" not in a.raw and "var a" not in a.raw


def test_reads_an_article_with_a_few_tags_left_from_a_web_copy(tmp_path):
    """A real article copied from a web page keeps some empty markup (list items, <strike>):
    it is article text, not an HTML page."""
    p = tmp_path / "copied.txt"
    junk = '  • <strike id="i2w4y"><code id="i2w4y"></code></strike>\n' * 5
    body = "新年的早晨，不到8点，45岁的村民就来到移民社区里开办的工厂车间，开始了一天的工作。\n" * 20
    p.write_text(junk + body, encoding="utf-8")
    assert "工厂车间" in read_article(p).raw


def test_rejects_text_without_chinese(tmp_path):
    p = tmp_path / "english.txt"
    p.write_text("This is not an article in Chinese.\n", encoding="utf-8")
    assert reason_of(p) == "no Chinese text"


def test_rejects_a_missing_file(tmp_path):
    assert reason_of(tmp_path / "nope.txt") == "no such file"


# --------------------------------------------------------------------------- the corpus and the manifest
def test_reads_the_seed_corpus_with_its_manifest():
    articles, rejections = read_corpus(CORPUS)
    assert rejections == []
    assert [a.file_name for a in articles] == [p.name for p in SEEDS]
    manifest = read_manifest(CORPUS / MANIFEST_NAME)
    assert set(manifest) == {p.name for p in SEEDS}
    for a in articles:
        data = a.path.read_bytes()
        assert a.raw == data.decode("utf-8") and a.meta.chars == len(a.raw)
        assert a.meta.sha256 == hashlib.sha256(data).hexdigest()
        assert a.meta.region and a.meta.title
        assert a.normalized is not None and a.normalized.text
    by_name = {a.file_name[:3]: a.meta for a in articles}
    assert by_name["000"].region == "重庆市永川区"
    assert by_name["002"].title == "铜梁人社 打赢打好脱贫攻坚战" and by_name["002"].region == "重庆市铜梁区"
    assert by_name["004"].region == "河南省濮阳市"


def test_reads_a_folder_without_manifest_and_guesses_titles(tmp_path):
    for p in SEEDS:
        shutil.copy(p, tmp_path / p.name)
    articles, rejections = read_corpus(tmp_path)
    assert rejections == [] and len(articles) == 5
    meta = {a.file_name[:3]: a.meta for a in articles}
    assert meta["001"].title == "决战决胜脱贫攻坚"
    assert meta["002"].title == "铜梁人社 打赢打好脱贫攻坚战 建设扶贫车间 开发公益性岗位 社保扶贫“兜底”"
    assert all(m.region is None and m.date is None for m in meta.values())


def test_a_mixed_folder_reads_the_good_and_names_every_bad_input(tmp_path):
    for p in SEEDS[:2]:
        shutil.copy(p, tmp_path / p.name)
    for p in DATA.glob("bad_*.txt"):
        shutil.copy(p, tmp_path / p.name)
    shutil.copy(DATA / "reader_big5.txt", tmp_path / "reader_big5.txt")
    (tmp_path / "photo.png").write_bytes((DATA / "bad_binary.txt").read_bytes())
    (tmp_path / "notes.md").write_text("# 说明\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("就业", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    big = tmp_path / "huge.txt"
    big.write_bytes(b"\xe5\xb0\xb1" * (6 * 1024 * 1024 // 3))
    articles, rejections = read_corpus(tmp_path)
    assert [a.file_name for a in articles] == [SEEDS[0].name, SEEDS[1].name, "bad_page.txt", "reader_big5.txt"]
    formats = "readable are .docx, .htm, .html, .pdf, .shtml, .txt, .xhtml"
    assert {r.file_name: r.reason for r in rejections} == {
        "bad_binary.txt": "binary data (PNG image), not text",
        "bad_empty.txt": "empty file",
        "bad_undecodable.txt": "undecodable bytes (not UTF-8, GB18030 or Big5)",
        "huge.txt": "too large (6.0 MB > 5 MB limit)",
        "notes.md": f"not an article file (.md): {formats}",
        "photo.png": f"not an article file (.png): {formats}",
    }
    assert [r.file_name for r in rejections] == sorted(r.file_name for r in rejections)
    assert str(rejections[0]) == f"{tmp_path / 'bad_binary.txt'}: binary data (PNG image), not text"
    # nothing silently dropped: every visible file is either read or rejected
    visible = {p.name for p in tmp_path.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert visible == {a.file_name for a in articles} | {r.file_name for r in rejections}


def test_a_missing_or_non_folder_corpus_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="corpus folder not found"):
        read_corpus(tmp_path / "missing")
    f = tmp_path / "file.txt"
    f.write_text("就业", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        read_corpus(f)


def test_manifest_rows_and_errors(tmp_path):
    shutil.copy(SEEDS[0], tmp_path / SEEDS[0].name)
    m = tmp_path / MANIFEST_NAME
    m.write_text(f"file\ttitle\tregion\tdate\n{SEEDS[0].name}\t一人就业 全家脱贫\t重庆市永川区\t2020-12\n"
                 f"gone.txt\t不在了\t\t\n", encoding="utf-8")
    articles, rejections = read_corpus(tmp_path)
    assert articles[0].meta.title == "一人就业 全家脱贫" and articles[0].meta.date == "2020-12"
    assert [(r.file_name, r.reason) for r in rejections] == [("gone.txt", "listed in manifest.tsv but missing")]
    m.write_text("name\ttitle\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest.tsv:1: manifest header"):
        read_corpus(tmp_path)
    m.write_text(f"file\tdate\n{SEEDS[0].name}\t12月10日\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest.tsv:2: date '12月10日' is not YYYY"):
        read_corpus(tmp_path)


def test_article_normalises_once():
    a = read_article(SEEDS[0])
    assert isinstance(a, Article) and a.normalize() is a.normalize()


# --------------------------------------------------------------------------- formats, folders, links, manifests
def _files(root: Path, files: dict[str, bytes | str]) -> None:
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            p.write_text(data, encoding="utf-8")
        else:
            p.write_bytes(data)


def test_reads_web_page_pdf_and_word_files_with_their_metadata(tmp_path):
    from saved_pages import docx_bytes, html_page, pdf_bytes

    text = SEEDS[2].read_text(encoding="utf-8")
    _files(tmp_path, {"a.html": html_page(text, title="铜梁人社 打赢打好脱贫攻坚战", date="2020-11-05",
                                          site="铜梁区人民政府网", url="http://www.cqstl.gov.cn/a/1.html"),
                      "b.pdf": pdf_bytes(text, title="铜梁人社"), "c.docx": docx_bytes(text, author="铜梁区人社局")})
    articles, rejections = read_corpus(tmp_path)
    assert rejections == []
    a, b, c = articles
    assert [x.meta.format for x in articles] == ["html", "pdf", "docx"]
    assert (a.meta.title, a.meta.date, a.meta.publication, a.meta.url) == (
        "铜梁人社 打赢打好脱贫攻坚战", "2020-11-05", "铜梁区人民政府网", "http://www.cqstl.gov.cn/a/1.html")
    assert a.meta.sources == {"title": "page", "date": "page", "publisher": "page", "url": "page"}
    assert b.meta.title == "铜梁人社" and b.meta.sources == {"title": "page"}
    assert c.meta.author == "铜梁区人社局" and c.meta.sources["title"] == "text"     # the headline of the text
    for x in articles:
        assert x.meta.chars == len(x.raw) and x.meta.sha256 == hashlib.sha256(x.path.read_bytes()).hexdigest()
        assert "扶贫车间" in x.normalize().text


def test_nested_folders_are_read_with_their_collection_and_flat_ids_stay(tmp_path):
    _files(tmp_path, {SEEDS[0].name: SEEDS[0].read_bytes(), f"chongqing/{SEEDS[1].name}": SEEDS[1].read_bytes(),
                      f"henan/2020/{SEEDS[4].name}": SEEDS[4].read_bytes(), "henan/2020/说明.md": "# 说明\n",
                      ".git/x.txt": SEEDS[3].read_bytes(), "chongqing/.draft.txt": SEEDS[3].read_bytes()})
    articles, rejections = read_corpus(tmp_path)
    assert [(a.file_name, a.meta.collection, a.meta.sources.get("collection")) for a in articles] == [
        (SEEDS[0].name, None, None), (f"chongqing/{SEEDS[1].name}", "chongqing", "folder"),
        (f"henan/2020/{SEEDS[4].name}", "henan/2020", "folder")]
    assert [(r.file_name, r.reason.split(":")[0]) for r in rejections] == [
        ("henan/2020/说明.md", "not an article file (.md)")]


def test_symbolic_links_out_of_the_corpus_are_refused_and_never_read(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "elsewhere"
    _files(corpus, {SEEDS[0].name: SEEDS[0].read_bytes(), "sub/b.txt": SEEDS[1].read_bytes()})
    _files(outside, {"secret.txt": SEEDS[2].read_bytes()})
    (corpus / "out.txt").symlink_to(outside / "secret.txt")
    (corpus / "outdir").symlink_to(outside, target_is_directory=True)
    (corpus / "inside.txt").symlink_to(corpus / SEEDS[0].name)
    (corpus / "subdir").symlink_to(corpus / "sub", target_is_directory=True)
    (corpus / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    articles, rejections = read_corpus(corpus)
    assert [a.file_name for a in articles] == [SEEDS[0].name, "inside.txt", "sub/b.txt"]
    reasons = {r.file_name: r.reason for r in rejections}
    assert reasons == {
        "out.txt": f"a symbolic link leading out of the corpus folder (to {outside.resolve() / 'secret.txt'}): not read",
        "outdir": f"a symbolic link leading out of the corpus folder (to {outside.resolve()}): not read",
        "subdir": "a symbolic link to a folder: not followed (its files are read where they are)",
        "dangling.txt": f"a broken symbolic link (to {tmp_path / 'gone.txt'})",
    }


def test_every_rejection_reason_of_the_new_formats(tmp_path):
    from saved_pages import pdf_bytes, scanned_pdf_bytes

    good = pdf_bytes(SEEDS[0].read_text(encoding="utf-8")[:300])
    enc = pdf_bytes("就业扶贫车间吸纳50人就业。", password="secret")
    _files(tmp_path, {"scan.pdf": scanned_pdf_bytes(), "locked.pdf": enc, "cut.pdf": good[: len(good) // 3],
                      "fake.pdf": "就业扶贫车间", "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
                      "old.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "broken.docx": b"PK\x03\x04junk",
                      "notzip.docx": "就业扶贫", "menu.html": "<html><body><nav><a href='/'>首页</a></nav></body></html>",
                      "english.html": "<html><body><article><p>" + "Jobs for all. " * 30 + "</p></article></body></html>",
                      "page.htm": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64})
    articles, rejections = read_corpus(tmp_path)
    assert articles == []
    reasons = {r.file_name: r.reason for r in rejections}
    assert reasons["scan.pdf"] == "a scanned PDF without a text layer (1 page, no text to read: OCR it first)"
    assert reasons["locked.pdf"] == "an encrypted PDF (password protected)"
    assert reasons["cut.pdf"].startswith("unreadable PDF (")
    assert reasons["fake.pdf"] == "not a PDF file"
    assert reasons["old.doc"] == "a Word 97-2003 .doc file: save it as .docx (or PDF)"
    assert reasons["old.docx"] == "a Word 97-2003 .doc file, not .docx: save it as .docx"
    assert reasons["broken.docx"].startswith("unreadable Word file, not a valid .docx (")
    assert reasons["notzip.docx"] == "unreadable Word file, not a valid .docx (not a zip package)"
    assert reasons["menu.html"] == "an HTML page without article text"
    assert reasons["english.html"] == "no Chinese text"
    assert reasons["page.htm"] == "binary data (PNG image), not text"
    assert len(reasons) == 11


def test_the_output_folder_inside_the_corpus_is_skipped(tmp_path):
    _files(tmp_path, {SEEDS[0].name: SEEDS[0].read_bytes(), "output/extractions/x.txt": SEEDS[1].read_bytes(),
                      "old-build/build-report.json": "{}", "old-build/texts/y.txt": SEEDS[1].read_bytes()})
    articles, rejections = read_corpus(tmp_path, exclude=[tmp_path / "output"])
    assert [a.file_name for a in articles] == [SEEDS[0].name] and rejections == []


def test_csv_manifest_overrides_the_page_and_names_its_bad_rows(tmp_path):
    from saved_pages import html_page

    text = SEEDS[0].read_text(encoding="utf-8")
    _files(tmp_path, {"yongchuan/a.html": html_page(text, title="网页上的标题", date="2020-12-01", site="某网站"),
                      SEEDS[1].name: SEEDS[1].read_bytes()})
    m = tmp_path / "manifest.csv"
    m.write_text("file,url,title,date,publisher,collection\n"
                 "yongchuan/a.html,http://www.cqyc.gov.cn/1.html,一人就业 全家脱贫,2020-12-10,永川日报,重庆\n"
                 f"{SEEDS[1].name},,,2020,,\n"
                 "gone.pdf,,,,,\n", encoding="utf-8")
    articles, rejections = read_corpus(tmp_path)
    seed, page = sorted(articles, key=lambda a: a.file_name.startswith("yong"))
    assert (page.meta.title, page.meta.date, page.meta.publication, page.meta.url, page.meta.collection) == (
        "一人就业 全家脱贫", "2020-12-10", "永川日报", "http://www.cqyc.gov.cn/1.html", "重庆")
    assert set(page.meta.sources.values()) == {"manifest"}
    assert seed.meta.date == "2020" and seed.meta.sources == {"date": "manifest", "title": "text"}
    assert [(r.file_name, r.reason) for r in rejections] == [("gone.pdf", "listed in manifest.csv but missing")]
    # a bare file name finds its file in a subfolder; --manifest replaces the folder's own
    other = tmp_path.parent / f"{tmp_path.name}-meta.csv"
    other.write_text("file,publisher\na.html,另一份清单\n", encoding="utf-8")
    articles, rejections = read_corpus(tmp_path, manifest=other)
    assert {a.file_name: a.meta.publication for a in articles}["yongchuan/a.html"] == "另一份清单"
    assert rejections == []
    bad = {
        "file,title\nx.txt,a,b\n": r"manifest.csv:2: 3 fields, the header has 2",
        "file,title\nx.txt,ok\n,无文件\n": r"manifest.csv:3: no file name",
        "file,date\nx.txt,2020年\n": r"manifest.csv:2: date '2020年' is not YYYY",
        "file,url\nx.txt,www.example.com\n": r"manifest.csv:2: url 'www.example.com' is not an http\(s\) address",
        "file,title\nx.txt,a\nx.txt,b\n": r"manifest.csv:3: x.txt is listed twice",
        "file,headline\n": r"manifest.csv:1: manifest header must name columns",
        'file,title\n"x.txt,"a\n': r"manifest.csv:2: malformed row",
    }
    for content, message in bad.items():
        m.write_text(content, encoding="utf-8")
        with pytest.raises(InputError, match=message) as err:
            read_corpus(tmp_path)
        assert "\n" not in str(err.value)
