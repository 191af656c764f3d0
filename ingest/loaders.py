"""Loaders for .txt, .md, .pdf, .html and .docx: each returns the text we index or raises a clear LoaderError."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import LoaderError
from assistant.settings import IngestSettings
from assistant.text.normalise import clean, drop_comments

SUPPORTED = (".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
# Front matter is data about the document: only these keys are kept (others are dropped), each value cut to
# IngestSettings.max_value_chars. The pipeline refuses a user document whose id, title or citation is a
# catalogue source's (issue 13: a user document can never pose as the report).
FRONT_MATTER_KEYS = frozenset({
    "id", "title", "citation", "url", "licence", "license", "basis", "author", "authors", "date", "year",
    "publisher", "description", "summary", "tags", "keywords", "language", "lang",
})


@dataclass(frozen=True)
class LoadedDocument:
    """A source's text as indexed, with what the loader learnt about it."""

    path: Path
    text: str
    title: str
    metadata: dict[str, Any] = field(default_factory=dict)
    page_starts: list[int] | None = None  # offsets where pages 1, 2, ... start (PDFs only)
    body_start: int = 0  # where the body starts (after Markdown front matter)


def size_problem(size: int, max_bytes: int) -> str | None:
    """Why a file of ``size`` bytes is refused (empty, or over the limit), or None. Sizes are in MB of 2**20 bytes,
    as the limit is set (20 * 1024 * 1024 shows as "20 MB", never "21 MB")."""
    if size == 0:
        return "empty file (0 bytes)"
    if size > max_bytes:
        return f"too large ({size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:g} MB)"
    return None


def display_name(path: Path | str) -> str:
    """A path as text that can be shown and stored: bytes that are not UTF-8 become U+FFFD."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def load(path: Path, *, max_bytes: int, limits: IngestSettings | None = None) -> LoadedDocument:
    """Read one file; raise LoaderError naming the file and the reason when it cannot be used."""
    limits = limits or IngestSettings()
    name = display_name(path)
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Such a name cannot be stored in the index (Chroma needs UTF-8), nor shown; the upload is refused
        # before anything is copied or embedded, rather than failing the whole ingest when it is written.
        raise LoaderError(name, "the file name is not valid UTF-8 text: rename the file and upload it again") from exc
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoaderError(name, f"unsupported file type '{suffix or '(none)'}' (supported: {', '.join(SUPPORTED)})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoaderError(name, f"cannot be read ({exc.strerror})") from exc
    problem = size_problem(size, max_bytes)
    if problem:
        raise LoaderError(name, problem)
    doc = _load_any(path, suffix, limits)
    doc = replace(doc, title=clean(doc.title))
    if not _is_utf8(doc.text) or not _is_utf8(doc.title):
        # Lone surrogates (a broken PDF font map, a "\ud800" escape in YAML) cannot be stored: each becomes "?",
        # one character for one, so every offset into the text stays right.
        doc = replace(doc, text=_utf8(doc.text), title=_utf8(doc.title))
    if len(doc.text) > limits.max_text_chars:
        raise LoaderError(
            name, f"too much text: {len(doc.text):,} characters, limit {limits.max_text_chars:,} (split the document)"
        )
    return doc


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _utf8(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _load_any(path: Path, suffix: str, limits: IngestSettings) -> LoadedDocument:
    if suffix == ".pdf":
        return _load_pdf(path)
    if suffix == ".docx":
        return _load_docx(path)
    # Clean before parsing (normalise.clean: NFKC, no zero-width, bidi or control characters), so every offset
    # the parsers compute is into the text as indexed; Markdown comments are dropped (readers never see them).
    text = clean(_decode(path))
    if suffix in (".html", ".htm"):
        return _load_html(path, text)
    if suffix in (".md", ".markdown"):
        return _load_markdown(path, drop_comments(text), limits)
    if text.startswith("---"):
        # A plain text opening with a YAML block is read like Markdown front matter: its keys are data about the
        # document, and the pipeline refuses one that claims a catalogue source's id, title or citation.
        return _load_markdown(path, text, limits)
    _require_text(path, text)
    return LoadedDocument(path, text, _first_line(text) or path.stem)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoaderError(str(path), f"not decodable as UTF-16 ({exc.reason})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(
            str(path), f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); save it as UTF-8"
        ) from exc


def _require_text(path: Path, text: str) -> None:
    if not text.strip():
        raise LoaderError(str(path), "empty: the file contains no text")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()[:120]
    return ""


def _load_markdown(path: Path, text: str, limits: IngestSettings) -> LoadedDocument:
    metadata: dict[str, Any] = {}
    body_start = 0
    # Only the head of the file is searched: front matter longer than the limit is refused, not parsed.
    head = text[: limits.max_front_matter_chars + 64]
    m = _FRONT_MATTER.match(head)
    if m is None and _FRONT_MATTER.match(text) is not None:
        raise LoaderError(
            display_name(path), f"front matter is longer than {limits.max_front_matter_chars:,} characters"
        )
    if m:
        metadata = _front_matter(path, m.group(1), limits)
        body_start = m.end()
    _require_text(path, text[body_start:])
    title = str(metadata.get("title") or _first_line(text[body_start:]) or path.stem)
    return LoadedDocument(path, text, title, metadata, body_start=body_start)


_SCALARS = (str, int, float, bool, datetime.date)


def _front_matter(path: Path, source: str, limits: IngestSettings) -> dict[str, Any]:
    """Front matter as data: safe YAML without aliases, scalar values only, each cut to the length limit.

    Aliases are refused because a few hundred bytes of nested aliases ("billion laughs") expand to
    gigabytes once the value is turned into text; real front matter never needs them.
    """
    name = display_name(path)
    try:
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise LoaderError(name, "front matter uses YAML aliases (*name), which are not accepted: write values out")
        parsed = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise LoaderError(name, f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if parsed is not None and not isinstance(parsed, dict):
        raise LoaderError(name, "front matter must be a mapping of keys to values")
    metadata: dict[str, Any] = {}
    for key, value in (parsed or {}).items():
        if str(key).lower() not in FRONT_MATTER_KEYS:
            continue  # only known keys: front matter is data about the document, not a place for anything else
        if isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value):
            value = ", ".join(str(v) for v in value)
        if not isinstance(value, _SCALARS):
            continue  # nested mappings are not front matter we use
        if isinstance(value, str | datetime.date):
            value = _utf8(str(value)[: limits.max_value_chars])
        metadata[_utf8(str(key)[: limits.max_value_chars])] = value
    return metadata


def _load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    name = str(path)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported encryption
                raise LoaderError(name, f"encrypted PDF that cannot be opened ({exc})") from exc
            if not unlocked:
                raise LoaderError(name, "encrypted (password-protected) PDF: remove the password and upload again")
        pages = [_clean_page(page.extract_text() or "") for page in reader.pages]
        title = (reader.metadata.title if reader.metadata and reader.metadata.title else "") or path.stem
    except LoaderError:
        raise
    except LimitReachedError as exc:
        # A few hundred KB of deflate can inflate to gigabytes ("decompression bomb"); pypdf stops at its limit.
        raise LoaderError(name, f"PDF refused: a stream inflates beyond pypdf's safety limit ({exc})") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise LoaderError(name, f"corrupt or unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    if not pages:
        raise LoaderError(name, "PDF has no pages")
    if not any(p.strip() for p in pages):
        raise LoaderError(name, f"no extractable text in {len(pages)} page(s): image-only or scanned PDF (needs OCR)")
    starts, parts, pos = [], [], 0
    for page in pages:
        starts.append(pos)
        parts.append(page)
        pos += len(page) + 2
    return LoadedDocument(path, "\n\n".join(parts), str(title), {"pages": len(pages)}, page_starts=starts)


def _clean_page(text: str) -> str:
    lines = [line.rstrip() for line in clean(text).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _load_docx(path: Path) -> LoadedDocument:
    """A Word document as Markdown-like text: paragraphs parted by blank lines, headings as "#", list paragraphs
    as "- " items, table rows as tab-separated cells (as the HTML loader writes them)."""
    from zipfile import BadZipFile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    name = str(path)
    try:
        document = Document(str(path))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                rows = ["\t".join(" ".join(clean(cell.text).split()) for cell in row.cells) for row in item.rows]
                blocks.append("\n".join(r for r in rows if r.strip()))
                continue
            text = " ".join(clean(item.text).split())
            style = (item.style.name if item.style is not None else "") or ""
            level = re.match(r"(?:Heading (\d)|Title)$", style)
            if not text:
                continue
            if level:
                blocks.append(f"{'#' * int(level.group(1) or 1)} {text}")
            elif style.startswith("List"):
                blocks.append(f"- {text}")
            else:
                blocks.append(text)
        title = document.core_properties.title or ""
    except (PackageNotFoundError, BadZipFile, KeyError, ValueError, AttributeError, OSError) as exc:
        raise LoaderError(name, f"corrupt or unreadable Word document ({exc.__class__.__name__}: {exc})") from exc
    # Consecutive list items stay one list; everything else is its own paragraph.
    text = ""
    for block in blocks:
        joined = "\n" if text and block.startswith("- ") and text.rsplit("\n", 1)[-1].startswith("- ") else "\n\n"
        text = f"{text}{joined}{block}" if text else block
    _require_text(path, text)
    return LoadedDocument(path, text + "\n", title or _first_line(text) or path.stem)


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = ("p", "div", "section", "article", "blockquote", "pre", "tr", "table", "ul", "ol", "br")


def _load_html(path: Path, html: str) -> LoadedDocument:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(html, "html.parser")
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "template", "head", "nav", "footer", "svg", "form", "iframe"]):
        tag.decompose()
    for tag in soup.find_all(_HEADINGS):
        level = int(tag.name[1])
        tag.replace_with(f"\n\n{'#' * level} {tag.get_text(' ', strip=True)}\n\n")
    for tag in soup.find_all("li"):
        tag.insert_before("\n- ")
    for tag in soup.find_all(["td", "th"]):
        tag.insert_before("\t")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    raw = soup.get_text()
    # Collapse spaces inside each cell but keep the tabs between table cells (str.split() would eat them).
    lines = ["\t".join(" ".join(cell.split()) for cell in line.split("\t")).strip() for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    if not text.strip():
        raise LoaderError(str(path), "no readable text in the HTML page")
    return LoadedDocument(path, text, title or _first_line(text) or path.stem)
