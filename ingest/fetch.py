"""The real cited works: download each evidence note's address (PDF or HTML) into <data_dir>/fetched/.

Each work is fetched, checked and saved on its own, so one failure (unreachable, not a document, paywalled, too
large) is that work's reason and never stops the others. A copy is written whole (a temporary name, then an atomic
rename) and recorded in ``fetched/works.json`` with its address, retrieval time and checksum; a failed fetch never
deletes or overwrites an earlier good copy, so what is already indexed stays indexed. ``ingest.pipeline.discover``
then indexes each recorded copy as a source of its own ("<id>-work", kind "fetched work") beside the evidence note,
which stays, labelled as our summary.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import urllib.error
import urllib.request
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

from assistant.schemas import SourceRecord
from assistant.settings import Settings
from assistant.text.lexicon import entries
from ingest.catalogue import Catalogue

log = logging.getLogger(__name__)
FETCHED_DIR = "fetched"
WORKS_FILE = "works.json"
WORK_SUFFIX = "-work"  # a fetched work's source id: its evidence note's id + this
FETCHED_KIND = "fetched work"
USER_AGENT = "MissionDesk/1.0 (fetch-evidence; the cited works of a policy report)"
PDF_TYPES = ("application/pdf", "application/x-pdf")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Served as a generic type, a body opening with the PDF signature is still a PDF (publishers' CDNs often say so).
GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream", "application/download", "")
PAYWALL_STATUSES = (401, 402, 403)
# What a publisher's sign-in or paywall page says instead of the work: a word list, in lexicon.toml [paywall].
PAYWALL_CUES = entries("paywall", "cues")
# A page with this much text or more is taken as an article that merely has a sign-in link in its header; a
# paywall page is short. Chosen from the fixture pages, not calibrated on real publishers (belongs in settings).
PAYWALL_MAX_TEXT_CHARS = 2500
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class FetchResult:
    """What fetching one catalogue entry's address did."""

    id: str
    url: str
    ok: bool
    reason: str = ""  # why not, when not ok
    file: str = ""  # the copy, relative to the data folder ("fetched/deci-1999.pdf")
    retrieved: str = ""  # ISO 8601, UTC
    sha256: str = ""  # of the copy as saved (the bytes served; an HTML page in another encoding is saved as UTF-8)
    content_type: str = ""
    bytes: int = 0


@dataclass(frozen=True)
class FetchedWork:
    """One good copy recorded in works.json."""

    id: str  # the evidence note's catalogue id
    url: str
    file: str  # relative to the data folder
    retrieved: str
    sha256: str
    content_type: str
    last_failure: str = ""  # the reason of the latest failed attempt since this copy (the copy is kept)


class _Failed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fetched_dir(settings: Settings) -> Path:
    return settings.data_dir / FETCHED_DIR


def load_works(settings: Settings) -> dict[str, FetchedWork]:
    """The recorded copies by evidence note id (an empty record when nothing was fetched yet)."""
    path = fetched_dir(settings) / WORKS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {entry["id"]: FetchedWork(**entry) for entry in data.get("works", [])}
    except (ValueError, TypeError, KeyError) as exc:
        # Written atomically, so only a hand edit breaks it: the fetched works are left out until it is fixed or
        # fetched again, rather than every ingest failing.
        log.warning("%s is not a valid record of fetched works (%s): fetched works left out", path, exc)
        return {}


def _save_works(settings: Settings, works: dict[str, FetchedWork]) -> None:
    folder = fetched_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    body = {"works": [asdict(works[k]) for k in sorted(works)]}
    partial = folder / f".{WORKS_FILE}.partial"
    partial.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, folder / WORKS_FILE)


def work_record(note: SourceRecord, work: FetchedWork) -> SourceRecord:
    """The catalogue record of a fetched work: its evidence note's title, citation and address, its own id, kind
    "fetched work" (cited as a quote: the work's own words) and the copy's file (relative to the data folder)."""
    day = work.retrieved[:10]
    return note.model_copy(update={
        "id": note.id + WORK_SUFFIX,
        "kind": FETCHED_KIND,
        "file": work.file,
        "url": work.url,
        "citation": f"{note.citation} (retrieved {day})",
        "licence": "the work as published: its copyright holder's terms apply (a copy kept for reference)",
        "basis": f"the work as served at {work.url} on {day} (sha256 {work.sha256[:12]})",
    })


def fetched_sources(settings: Settings, catalogue: Catalogue) -> list[tuple[Path, SourceRecord]]:
    """Each recorded copy whose evidence note is still in the catalogue and whose file is present, with its record."""
    out: list[tuple[Path, SourceRecord]] = []
    for work in load_works(settings).values():
        note = catalogue.get(work.id)
        path = settings.data_dir / work.file
        if note is not None and path.is_file():
            out.append((path, work_record(note, work)))
    return out


def with_fetched_works(settings: Settings, catalogue: Catalogue) -> Catalogue:
    """``catalogue`` with a record for each fetched work beside its evidence note, so that a citation of a work
    carries its full reference, retrieval date and address (answering.Citer looks records up by source id)."""
    known = {r.id for r in catalogue.records}
    extra = tuple(record for _, record in fetched_sources(settings, catalogue) if record.id not in known)
    return Catalogue(catalogue.records + extra, catalogue.box_ends) if extra else catalogue


def fetch_evidence(
    settings: Settings,
    catalogue: Catalogue,
    *,
    ids: Collection[str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
    timeout: float = 30,
) -> list[FetchResult]:
    """Download the address of each evidence note of ``catalogue`` (or of ``ids`` only) and record the good copies.

    The default opener is urllib's: its ProxyHandler reads http_proxy, https_proxy and no_proxy (either case)
    from the environment when this is called, so a department's proxy settings are honoured as they are set.
    """
    opener = opener or urllib.request.build_opener()
    wanted = set(ids) if ids is not None else None
    notes = [r for r in catalogue.records if r.kind == "evidence note" and r.url
             and (wanted is None or r.id in wanted)]
    results: list[FetchResult] = []
    unknown = sorted((wanted or set()) - {r.id for r in catalogue.records})
    results += [FetchResult(i, "", False, "not in the catalogue") for i in unknown]
    results += [FetchResult(i, "", False, "not an evidence note with an address")
                for i in sorted((wanted or set()) - set(unknown) - {r.id for r in notes})]
    works = load_works(settings)
    for note in notes:
        result = _fetch_one(note, settings, opener, timeout)
        results.append(result)
        if result.ok:
            works[note.id] = FetchedWork(note.id, result.url, result.file, result.retrieved, result.sha256,
                                         result.content_type)
        elif note.id in works:  # the earlier good copy stays, and stays indexed
            works[note.id] = FetchedWork(**{**asdict(works[note.id]), "last_failure": result.reason})
        _save_works(settings, works)
    return results


def _fetch_one(note: SourceRecord, settings: Settings, opener: urllib.request.OpenerDirector,
               timeout: float) -> FetchResult:
    url = note.url or ""
    retrieved = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        if not _SAFE_ID.fullmatch(note.id):
            raise _Failed(f"the catalogue id {note.id!r} cannot name a file")
        if not url.lower().startswith(("http://", "https://")):
            raise _Failed(f"not a web address ({url})")
        body, content_type, headers = _download(url, opener, timeout, settings.max_upload_bytes)
        suffix, body = _classify(body, content_type, headers)
    except _Failed as failed:
        return FetchResult(note.id, url, False, failed.reason, retrieved=retrieved)
    folder = fetched_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{note.id}{suffix}"
    partial = folder / f".{note.id}{suffix}.partial"
    partial.write_bytes(body)
    os.replace(partial, target)
    for other in (".pdf", ".html"):  # a work that moved from HTML to PDF (or back) keeps one copy
        if other != suffix:
            (folder / f"{note.id}{other}").unlink(missing_ok=True)
    return FetchResult(
        note.id, url, True, file=target.relative_to(settings.data_dir).as_posix(), retrieved=retrieved,
        sha256=hashlib.sha256(body).hexdigest(), content_type=content_type, bytes=len(body),
    )


def _download(url: str, opener: urllib.request.OpenerDirector, timeout: float,
              max_bytes: int) -> tuple[bytes, str, Message]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/pdf,text/html"})
    try:
        with opener.open(request, timeout=timeout) as response:
            headers = response.headers
            length = headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _Failed(_too_large(int(length), max_bytes))
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in PAYWALL_STATUSES:
            raise _Failed(f"paywalled or login required (HTTP {exc.code} {exc.reason})") from exc
        if exc.code in (404, 410):
            raise _Failed(f"no document at the address (HTTP {exc.code} {exc.reason})") from exc
        raise _Failed(f"unreachable (HTTP {exc.code} {exc.reason})") from exc
    except urllib.error.URLError as exc:  # no connection, or (inside URLError) a timeout while connecting
        if isinstance(exc.reason, TimeoutError):
            raise _Failed(f"unreachable (timed out: no answer within {timeout:g} s)") from exc
        raise _Failed(f"unreachable ({_why(exc.reason)})") from exc
    except TimeoutError as exc:  # a timeout while reading
        raise _Failed(f"unreachable (timed out: no answer within {timeout:g} s)") from exc
    except (OSError, ValueError) as exc:  # a reset connection, a malformed address or response
        raise _Failed(f"unreachable ({_why(exc)})") from exc
    if len(body) > max_bytes:
        raise _Failed(_too_large(None, max_bytes))
    return body, headers.get_content_type().lower() if headers.get("Content-Type") else "", headers


def _why(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or reason.__class__.__name__


def _too_large(size: int | None, max_bytes: int) -> str:
    limit = f"the limit is {max_bytes / 1e6:.0f} MB"
    return f"too large ({size / 1e6:.1f} MB; {limit})" if size else f"too large (over {limit.split(' is ')[1]})"


def _classify(body: bytes, content_type: str, headers: Message) -> tuple[str, bytes]:
    """The file suffix for ``body`` and the bytes to keep (HTML as UTF-8), or _Failed saying why it is no document."""
    is_pdf_bytes = b"%PDF-" in body[:1024]
    if content_type in PDF_TYPES or (content_type in GENERIC_TYPES and is_pdf_bytes):
        if not is_pdf_bytes:
            raise _Failed(f"not a document (served as {content_type or 'no type'} but not a PDF)")
        return ".pdf", body
    if content_type in HTML_TYPES:
        text, html = _html_text(body, headers.get_content_charset())
        if not text.strip():
            raise _Failed("not a document (an HTML page with no text)")
        lowered = " ".join(text.casefold().split())
        if len(lowered) < PAYWALL_MAX_TEXT_CHARS and any(cue in lowered for cue in PAYWALL_CUES):
            raise _Failed("paywalled or login required (the page asks to sign in or pay)")
        return ".html", html.encode("utf-8")
    raise _Failed(f"not a document (content type {content_type or 'missing'})")


def _html_text(body: bytes, charset: str | None) -> tuple[str, str]:
    """The page's main text (without navigation and forms), and the whole page as text (the loader reads UTF-8:
    other encodings are converted)."""
    from bs4 import BeautifulSoup, UnicodeDammit

    html = UnicodeDammit(body, [charset] if charset else []).unicode_markup or ""
    soup = BeautifulSoup(html, "html.parser")
    # Navigation, headers and forms are left out: an article's header often has a "Sign in" link of its own.
    for tag in soup(["script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside", "form"]):
        tag.decompose()
    return soup.get_text(" ", strip=True), html


def main_lines(results: Sequence[FetchResult]) -> list[str]:
    """One line per work for the command line: size and checksum when fetched, the reason when not."""
    lines = []
    for r in results:
        if r.ok:
            lines.append(f"{r.id:28} ok      {r.bytes / 1e3:9,.1f} kB  sha256 {r.sha256[:12]}  {r.file}")
        else:
            lines.append(f"{r.id:28} FAILED  {r.reason}  {r.url}")
    return lines
