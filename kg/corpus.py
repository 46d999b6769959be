"""Read a corpus folder: every file found is an article or a rejection with its reason.

:func:`read_corpus` walks the folder and its subfolders (sorted by path). Each file is read
by its format (:mod:`kg.readers`): ``.txt`` decoded here, web pages (``.html``, ``.htm``,
``.shtml``, ``.xhtml``), PDFs and Word ``.docx`` files through their readers. Any other
file is rejected with its reason, so nothing is silently dropped. Hidden files and folders,
the manifest and the build's output folder are skipped; a symbolic link leading out of the
corpus folder is refused (never read), as is a linked folder. An article's id
(``ArticleMeta.file_name``, ``fp:fileName``) is its path relative to the corpus folder:
``x.txt`` in a flat folder, ``gansu/x.html`` in a subfolder, whose path becomes the
article's collection.

:func:`read_article` reads one file or raises :class:`kg.errors.InputError` naming the file
and a one-line reason:

* ``empty file``, ``binary data (PNG image), not text``, ``binary data, not text``;
* ``undecodable bytes (not UTF-8, GB18030 or Big5)``;
* ``too large (20.0 MB > 5 MB limit)`` (100 MB for PDF and Word files);
* ``no Chinese text``; ``an HTML page without article text``;
* ``a scanned PDF without a text layer (…)``, ``an encrypted PDF (password protected)``,
  ``unreadable PDF (…)``, ``not a PDF file``; ``unreadable Word file, not a valid .docx (…)``,
  ``a Word 97-2003 .doc file, not .docx: save it as .docx``.

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (a superset of GBK and
GB2312) and Big5. Where bytes decode both as GB18030 and as Big5, charset-normalizer picks
the likelier. ``Article.raw`` is the article's text: for a ``.txt`` file the decoded text
with the BOM removed and line breaks untouched, for another format the text its reader
extracted (an HTML page saved as ``.txt`` is read as a page). Every raw offset cited later
indexes it, and the build stores it as ``OUT/texts/<article>.txt``. Traditional characters
stay in ``raw``; :mod:`kg.normalize` converts them.

The manifest (``manifest.csv`` or ``manifest.tsv`` in the corpus folder, or any file given
with ``kg build --manifest``) is optional; its columns (:data:`MANIFEST_COLUMNS`) are
``file`` (the path relative to the corpus folder, or a file name found once in it), ``url``,
``title``, ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), ``publisher``,
``collection``, ``author``, ``region`` (``publication`` is read as ``publisher``). What it
gives overrides what the page says; a title neither gives is the article's first headline.
``ArticleMeta.sources`` records where each field came from: ``manifest``, ``page`` (the
file's own header or properties), ``text`` (the headline; the date and publisher the text
prints above its body, :func:`kg.readers.read_header`, with their raw span in
``ArticleMeta.spans``) or ``folder`` (the collection).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.normalize import Normalized, normalize
from kg.readers import FORMATS, PageText, ReadError, read_docx, read_header, read_html, read_pdf
from kg.records import ArticleMeta, Evidence

__all__ = ["Article", "Rejection", "read_article", "read_corpus", "read_manifest", "find_manifest", "decode",
           "MAX_BYTES", "MAX_DOCUMENT_BYTES", "MANIFEST_NAME", "MANIFEST_NAMES",
           "MANIFEST_COLUMNS", "FORMATS"]

#: Largest text or HTML file accepted (a newspaper article is a few kB; 5 MB is far beyond any).
MAX_BYTES = 5 * 1024 * 1024
#: Largest PDF or Word file accepted (a 200-page newspaper PDF is a few tens of MB).
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024
MANIFEST_NAMES = ("manifest.csv", "manifest.tsv")
MANIFEST_NAME = "manifest.tsv"          # the seed corpus's
MANIFEST_COLUMNS = ("file", "url", "title", "date", "publisher", "collection", "author", "region")
_COLUMN_ALIASES = {"publication": "publisher"}

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"%PDF-", "PDF document"), (b"PK\x03\x04", "ZIP archive"), (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"), (b"RIFF", "RIFF media"), (b"\xd0\xcf\x11\xe0", "MS Office file"),
)
_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<div[\s>]|<script[\s>]|<p>|<br\s*/?>",
                   re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z/!][^<>]{0,200}>")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Article:
    """One decoded article."""

    path: Path
    file_name: str
    raw: str                       # decoded text, BOM removed, line breaks untouched
    meta: ArticleMeta
    normalized: Normalized | None = field(default=None, repr=False)   # layout-repaired text

    def normalize(self) -> Normalized:
        """The normalised text (computed once)."""
        if self.normalized is None:
            self.normalized = normalize(self.raw)
        return self.normalized


@dataclass
class Rejection:
    """An input that was not read as an article, and why."""

    path: Path
    file_name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# --------------------------------------------------------------------------- decoding
def _binary_kind(data: bytes) -> str | None:
    """'binary data (...)' when the bytes are not text, else None."""
    head = data[:16]
    for magic, name in _MAGIC:
        if head.startswith(magic) and name:
            return f"binary data ({name}), not text"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):      # UTF-16 with BOM: NULs are expected
        return None
    sample = data[:65536]
    if b"\x00" in sample:
        return "binary data, not text"
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls > max(8, len(sample) // 100):
        return "binary data, not text"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode article bytes: ``(text, encoding)``; raises ValueError when no encoding fits.

    UTF-8 (BOM stripped), UTF-16 with BOM, then GB18030 or Big5 (both strict)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    fits = {}
    for enc in ("gb18030", "big5"):
        try:
            fits[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    if not fits:
        raise ValueError("undecodable bytes (not UTF-8, GB18030 or Big5)")
    if len(fits) == 1:
        (enc, text), = fits.items()
        return text, enc
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
    enc = "big5" if best is not None and best.encoding in ("big5", "big5hkscs", "cp950") else "gb18030"
    return fits[enc], enc


def _cjk_count(text: str) -> int:
    return sum(1 for c in text if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")


def _check_text(text: str) -> str | None:
    """A reason to reject decoded text, or None."""
    stripped = text.strip()
    if not stripped:
        return "empty file"
    head = stripped[:4096]
    tags = _TAG.findall(head)
    # a page saved as text, not an article with a few tags left in it by a copy from the web
    if stripped.startswith("<") and _HTML.search(head) or len(tags) >= 10 and 3 * sum(map(len, tags)) >= len(head):
        return "an HTML page, not article text"
    if _cjk_count(stripped[:20000]) == 0:
        return "no Chinese text"
    return None


# --------------------------------------------------------------------------- articles
def _size_mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _limit(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def read_article(path: str | Path, *, max_bytes: int = MAX_BYTES, manifest: dict[str, dict[str, str]] | None = None,
                 file_name: str | None = None, collection: str | None = None) -> Article:
    """Read one article file by its format; raises :class:`InputError` with a one-line reason.

    ``file_name`` is the article's id (its path relative to the corpus folder; the file's
    name by default), ``collection`` the subfolder it was found in, ``manifest`` the rows of
    :func:`read_manifest` by id. ``max_bytes`` bounds text and HTML files; PDF and Word
    files may reach :data:`MAX_DOCUMENT_BYTES`."""
    path = Path(path)
    file_name = file_name or path.name
    fmt = FORMATS.get(path.suffix.lower(), "text")
    limit = max_bytes if fmt in ("text", "html") else max(max_bytes, MAX_DOCUMENT_BYTES)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read ({e.strerror or e})") from None
    if not path.is_file():
        raise InputError(path, "not a regular file")
    if size > limit:
        raise InputError(path, f"too large ({_size_mb(size)} > {_limit(limit)} limit)")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot read ({e.strerror or e})") from None
    if len(data) > limit:        # grew since stat
        raise InputError(path, f"too large ({_size_mb(len(data))} > {_limit(limit)} limit)")
    if not data.strip():
        raise InputError(path, "empty file")
    page: PageText | None = None
    encoding = ""
    try:
        if fmt in ("text", "html"):
            kind = _binary_kind(data)
            if kind:
                raise InputError(path, kind)
            try:
                raw, encoding = decode(data)
            except ValueError as e:
                raise InputError(path, str(e)) from None
            if fmt == "html" or _check_text(raw) == "an HTML page, not article text":
                page = read_html(raw)       # a page saved as .txt is read as the page it is
        elif fmt == "pdf":
            if b"%PDF-" not in data[:1024]:
                raise InputError(path, "not a PDF file" + (f" ({k})" if (k := _binary_kind(data)) else ""))
            page = read_pdf(data)
        elif fmt == "docx":
            if data.startswith(b"\xd0\xcf\x11\xe0"):
                raise InputError(path, "a Word 97-2003 .doc file, not .docx: save it as .docx")
            if not data.startswith(b"PK\x03\x04"):
                raise InputError(path, "unreadable Word file, not a valid .docx (not a zip package)")
            page = read_docx(data)
    except ReadError as e:
        raise InputError(path, str(e)) from None
    if page is not None:
        raw = page.text
    reason = _check_text(raw)
    if reason:
        raise InputError(path, reason)
    norm = normalize(raw)
    meta = _meta(file_name, data, raw, encoding, norm, page, (manifest or {}).get(file_name, {}), collection)
    return Article(path=path, file_name=file_name, raw=raw, meta=meta, normalized=norm)


def _meta(file_name: str, data: bytes, raw: str, encoding: str, norm: Normalized, page: PageText | None,
          entry: dict[str, str], collection: str | None) -> ArticleMeta:
    """The article's metadata: the manifest's, else the page's, else the text's; with where each came from."""
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    guessed = {"title": _guess_title(norm)} if not page or "title" not in page.fields else {}
    header = read_header(raw)       # 发布时间:…, 来源:…, 新华社…电: the date and publisher the text prints
    guessed.update({k: f.value for k, f in header.items()})
    spans: dict[str, Evidence] = {}
    for key in ("title", "date", "publisher", "author", "url", "collection", "region"):
        for origin, given in (("manifest", entry), ("page", page.fields if page else {}), ("text", guessed),
                              ("folder", {"collection": collection})):
            if given.get(key):
                values[key], sources[key] = given[key], origin
                if origin == "text" and key in header:
                    f = header[key]
                    spans[key] = Evidence(start=f.start, end=f.end, raw_text=raw[f.start:f.end], sentence=f.line)
                break
    return ArticleMeta(
        file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), title=values.get("title"),
        region=values.get("region"), publication=values.get("publisher"), date=values.get("date"),
        encoding=encoding, chars=len(raw), url=values.get("url"), author=values.get("author"),
        collection=values.get("collection"), format=page.format if page else "text", sources=sources,
        spans=spans,
    )


def _guess_title(norm: Normalized) -> str | None:
    """The first headline, when the article has one."""
    for b in norm.blocks:
        if b.kind == "headline":
            return norm.text[b.start:b.end].strip() or None
    return None


# --------------------------------------------------------------------------- manifest
def find_manifest(corpus_dir: str | Path) -> Path | None:
    """The corpus folder's own manifest (``manifest.csv`` or ``manifest.tsv``), if any."""
    for name in MANIFEST_NAMES:
        p = Path(corpus_dir) / name
        if p.is_file():
            return p
    return None


def read_manifest(path: str | Path) -> dict[str, dict[str, str]]:
    """Read a manifest (comma-separated, or tab-separated for ``.tsv``): file -> {column: value},
    empty values dropped.

    Raises :class:`InputError` naming ``FILE:LINE`` for a bad header, a row with more fields
    than the header, no file name, a file listed twice, a bad date or URL."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read the manifest ({e})") from None
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    # csv rows may span lines (quoted line breaks): number each by the line it starts on
    numbered, line = [], 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            numbered.append((line, row))
            line = reader.line_num + 1
    except csv.Error as e:
        raise InputError(f"{path}:{reader.line_num}", f"malformed row ({e})") from None
    rows = [(n, r) for n, r in numbered if r and not (len(r) == 1 and not r[0].strip())
            and not r[0].startswith("#")]
    if not rows:
        return {}
    (hline, header), *body = rows
    header = [_COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    if "file" not in header or any(h not in MANIFEST_COLUMNS for h in header) or len(set(header)) < len(header):
        raise InputError(f"{path}:{hline}", f"manifest header must name columns from {', '.join(MANIFEST_COLUMNS)} "
                                            f"once each, with file (got {', '.join(header)})")
    out: dict[str, dict[str, str]] = {}
    for n, row in body:
        if len(row) > len(header):
            raise InputError(f"{path}:{n}", f"{len(row)} fields, the header has {len(header)}")
        entry = {h: " ".join(v.split()) for h, v in zip(header, row) if v.strip()}
        name = entry.pop("file", "").replace("\\", "/").removeprefix("./")
        if not name:
            raise InputError(f"{path}:{n}", "no file name")
        if name in out:
            raise InputError(f"{path}:{n}", f"{name} is listed twice")
        if "date" in entry and not _DATE.match(entry["date"]):
            raise InputError(f"{path}:{n}", f"date {entry['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if "url" in entry and not re.match(r"^https?://\S+$", entry["url"]):
            raise InputError(f"{path}:{n}", f"url {entry['url']!r} is not an http(s) address")
        out[name] = entry
    return out


# --------------------------------------------------------------------------- corpus
@dataclass
class _Found:
    """One file of the corpus walk: read it (``reason`` None) or reject it."""

    path: Path
    file_name: str                 # relative to the corpus folder, with /
    collection: str | None
    reason: str | None = None


def _walk(root: Path, exclude: set[Path]) -> list[_Found]:
    """Every visible file under ``root`` (not the manifest, not excluded folders), sorted by
    path; symbolic links leaving ``root``, linked folders and special files come with a reason."""
    real_root = root.resolve()
    found: list[_Found] = []

    def visit(folder: Path, rel: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            if not rel:
                raise InputError(root, f"cannot list the folder ({e.strerror or e})") from None
            found.append(_Found(folder, rel.rstrip("/"), None, f"cannot list the folder ({e.strerror or e})"))
            return
        collection = rel.rstrip("/") or None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            name = rel + entry.name
            if not rel and entry.name in MANIFEST_NAMES:
                continue
            if path.resolve() in exclude or path.absolute() in exclude:
                continue
            if entry.is_symlink():
                target = path.resolve()
                if not target.exists():
                    found.append(_Found(path, name, collection, f"a broken symbolic link (to {os.readlink(path)})"))
                    continue
                if not target.is_relative_to(real_root):
                    found.append(_Found(path, name, collection,
                                        f"a symbolic link leading out of the corpus folder (to {target}): not read"))
                    continue
                if target.is_dir():
                    found.append(_Found(path, name, collection,
                                        "a symbolic link to a folder: not followed (its files are read where they are)"))
                    continue
            if entry.is_dir(follow_symlinks=False):
                if (path / ".current").is_symlink() or (path / "build-report.json").exists():
                    continue            # a kg build output folder inside the corpus
                visit(path, name + "/")
            elif entry.is_file():
                found.append(_Found(path, name, collection))
            else:
                found.append(_Found(path, name, collection, "not a regular file"))

    visit(root, "")
    return found


def _unsupported(path: Path) -> str | None:
    """The reason a file's kind is not read, or None for a supported format."""
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return None
    if suffix == ".doc":
        return "a Word 97-2003 .doc file: save it as .docx (or PDF)"
    readable = ", ".join(sorted(FORMATS))
    return f"not an article file ({suffix or 'no extension'}): readable are {readable}"


def read_corpus(corpus_dir: str | Path, *, max_bytes: int = MAX_BYTES, manifest: str | Path | None = None,
                exclude: Iterable[str | Path] = ()) -> tuple[list[Article], list[Rejection]]:
    """Read every article of a corpus folder and its subfolders: (articles, rejections),
    both sorted by id (the path relative to the folder).

    Every visible file except the manifest is an article or a rejection. ``manifest`` is a
    manifest file to use instead of the folder's own; ``exclude`` folders (the build's
    output) are not read. A missing folder, or one that is not a folder, and a malformed
    manifest raise :class:`InputError`."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.exists():
        raise InputError(corpus_dir, "corpus folder not found")
    if not corpus_dir.is_dir():
        raise InputError(corpus_dir, "not a folder")
    manifest_path = Path(manifest) if manifest is not None else find_manifest(corpus_dir)
    if manifest_path is not None and not manifest_path.is_file():
        raise InputError(manifest_path, "manifest not found")
    rows = read_manifest(manifest_path) if manifest_path is not None else {}
    skip = {Path(p).resolve() for p in exclude} | {Path(p).absolute() for p in exclude}
    if manifest_path is not None:
        skip.add(manifest_path.resolve())
    found = _walk(corpus_dir, skip)

    # manifest rows by id: the relative path, or a bare file name found once in the corpus
    by_base: dict[str, list[str]] = {}
    for f in found:
        by_base.setdefault(f.file_name.rsplit("/", 1)[-1], []).append(f.file_name)
    entries: dict[str, dict[str, str]] = {}
    unused: list[str] = []
    for key, row in rows.items():
        ids = [key] if any(f.file_name == key for f in found) else by_base.get(key, []) if "/" not in key else []
        if len(ids) == 1:
            entries[ids[0]] = row
        else:
            unused.append(key)

    articles: list[Article] = []
    rejections: list[Rejection] = []
    for f in found:
        reason = f.reason or _unsupported(f.path)
        if reason:
            rejections.append(Rejection(f.path, f.file_name, reason))
            continue
        try:
            articles.append(read_article(f.path, max_bytes=max_bytes, manifest=entries, file_name=f.file_name,
                                         collection=f.collection))
        except InputError as e:
            rejections.append(Rejection(f.path, f.file_name, e.reason))
    label = manifest_path.name if manifest_path is not None else "the manifest"
    for key in sorted(unused):
        why = "ambiguous (give its path)" if "/" not in key and len(by_base.get(key, [])) > 1 else "missing"
        rejections.append(Rejection(corpus_dir / key, key, f"listed in {label} but {why}"))
    rejections.sort(key=lambda r: r.file_name)
    return articles, rejections
