"""Read a corpus folder: decode each article, reject what is not article text, attach metadata.

:func:`read_corpus` considers every regular, non-hidden file in the folder (sorted by name),
except the manifest: ``*.txt`` files are read as articles, any other file is rejected with
its reason, so nothing is silently dropped. :func:`read_article` reads one file or raises
:class:`kg.errors.InputError` naming the file and a one-line reason:

* ``empty file``, ``binary data (PNG image), not text``, ``binary data, not text``;
* ``undecodable bytes (not UTF-8, GB18030 or Big5)``;
* ``too large (20.0 MB > 5 MB limit)``;
* ``an HTML page, not article text``; ``no Chinese text``.

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (a superset of GBK and
GB2312) and Big5. Where bytes decode both as GB18030 and as Big5, charset-normalizer picks
the likelier. ``Article.raw`` is the decoded text with the BOM removed and line breaks
untouched: every raw offset cited later indexes it. Traditional characters stay in ``raw``;
:mod:`kg.normalize` converts them.

The manifest (``manifest.tsv`` in the corpus folder; columns ``file``, ``title``,
``region``, ``publication``, ``date``) is optional. Without it, or for a file it does not
list, the title is guessed from the article's first headline; region, publication and date
are left empty (the extractor finds places in the text).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.normalize import Normalized, normalize
from kg.records import ArticleMeta

__all__ = ["Article", "Rejection", "read_article", "read_corpus", "read_manifest", "decode",
           "MAX_BYTES", "MANIFEST_NAME", "MANIFEST_COLUMNS"]

#: Largest article file accepted (a newspaper article is a few kB; 5 MB is far beyond any).
MAX_BYTES = 5 * 1024 * 1024
MANIFEST_NAME = "manifest.tsv"
MANIFEST_COLUMNS = ("file", "title", "region", "publication", "date")

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


def read_article(path: str | Path, *, max_bytes: int = MAX_BYTES, manifest: dict[str, dict[str, str]] | None = None
                 ) -> Article:
    """Read and decode one article file; raises :class:`InputError` with a one-line reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read ({e.strerror or e})") from None
    if not path.is_file():
        raise InputError(path, "not a regular file")
    if size > max_bytes:
        limit = f"{max_bytes / 1024 / 1024:g} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
        raise InputError(path, f"too large ({_size_mb(size)} > {limit} limit)")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot read ({e.strerror or e})") from None
    if len(data) > max_bytes:        # grew since stat
        raise InputError(path, f"too large ({_size_mb(len(data))} > {max_bytes} bytes limit)")
    if not data.strip():
        raise InputError(path, "empty file")
    kind = _binary_kind(data)
    if kind:
        raise InputError(path, kind)
    try:
        raw, encoding = decode(data)
    except ValueError as e:
        raise InputError(path, str(e)) from None
    reason = _check_text(raw)
    if reason:
        raise InputError(path, reason)
    entry = (manifest or {}).get(path.name, {})
    norm = normalize(raw)
    title = entry.get("title") or _guess_title(norm)
    meta = ArticleMeta(
        file_name=path.name, sha256=hashlib.sha256(data).hexdigest(), title=title,
        region=entry.get("region") or None, publication=entry.get("publication") or None,
        date=entry.get("date") or None, encoding=encoding, chars=len(raw),
    )
    return Article(path=path, file_name=path.name, raw=raw, meta=meta, normalized=norm)


def _guess_title(norm: Normalized) -> str | None:
    """The first headline, when the article has one."""
    for b in norm.blocks:
        if b.kind == "headline":
            return norm.text[b.start:b.end].strip() or None
    return None


# --------------------------------------------------------------------------- manifest
def read_manifest(path: str | Path) -> dict[str, dict[str, str]]:
    """Read ``manifest.tsv``: file name -> {title, region, publication, date} (empty values dropped).

    Raises :class:`InputError` naming the line for a bad header, a short row or a bad date."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read the manifest ({e})") from None
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    rows = [(n, r) for n, r in enumerate(rows, 1) if r and not (len(r) == 1 and not r[0].strip())
            and not r[0].startswith("#")]
    if not rows:
        return {}
    (hline, header), *body = rows
    header = [h.strip().lower() for h in header]
    if "file" not in header or any(h not in MANIFEST_COLUMNS for h in header):
        raise InputError(f"{path}:{hline}", f"manifest header must name columns from {', '.join(MANIFEST_COLUMNS)} "
                                            f"(got {', '.join(header)})")
    out: dict[str, dict[str, str]] = {}
    for n, row in body:
        if len(row) > len(header):
            raise InputError(f"{path}:{n}", f"{len(row)} fields, the header has {len(header)}")
        entry = {h: v.strip() for h, v in zip(header, row) if v.strip()}
        name = entry.pop("file", "")
        if not name:
            raise InputError(f"{path}:{n}", "no file name")
        if "date" in entry and not _DATE.match(entry["date"]):
            raise InputError(f"{path}:{n}", f"date {entry['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        out[name] = entry
    return out


# --------------------------------------------------------------------------- corpus
def read_corpus(corpus_dir: str | Path, *, max_bytes: int = MAX_BYTES) -> tuple[list[Article], list[Rejection]]:
    """Read every article of a corpus folder: (articles, rejections), both sorted by file name.

    Every regular non-hidden file except the manifest is either an article or a rejection.
    A missing folder, or one that is not a folder, raises :class:`InputError`."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.exists():
        raise InputError(corpus_dir, "corpus folder not found")
    if not corpus_dir.is_dir():
        raise InputError(corpus_dir, "not a folder")
    manifest_path = corpus_dir / MANIFEST_NAME
    manifest = read_manifest(manifest_path) if manifest_path.is_file() else {}
    articles: list[Article] = []
    rejections: list[Rejection] = []
    try:
        entries = sorted(corpus_dir.iterdir(), key=lambda p: p.name)
    except OSError as e:
        raise InputError(corpus_dir, f"cannot list the folder ({e.strerror or e})") from None
    for path in entries:
        if path.name.startswith(".") or path.name == MANIFEST_NAME:
            continue
        if path.is_dir():
            continue
        if path.suffix.lower() != ".txt":
            rejections.append(Rejection(path, path.name, f"not a .txt article ({path.suffix or 'no extension'})"))
            continue
        try:
            articles.append(read_article(path, max_bytes=max_bytes, manifest=manifest))
        except InputError as e:
            rejections.append(Rejection(path, path.name, e.reason))
    present = {p.name for p in entries}
    for name in sorted(set(manifest) - present):
        rejections.append(Rejection(corpus_dir / name, name, f"listed in {MANIFEST_NAME} but missing"))
    rejections.sort(key=lambda r: r.file_name)
    return articles, rejections
