"""Idempotent, atomic ingestion: files -> chunks -> vectors -> a new index generation.

Why not LangChain's ``index()`` with a record manager: it writes into the live collection, so a
``kill -9`` half-way leaves a mix of old and new chunks. We build a whole new generation (reusing
the stored vectors of every unchanged chunk, so only changed files are embedded) and switch to it
with one atomic pointer update; re-running with nothing changed writes nothing at all.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import numpy as np

from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import LoaderError
from assistant.schemas import Chunk, FileError, IngestReport, SourceRecord
from assistant.settings import Settings
from assistant.store import IndexStore
from assistant.text.questions import blank_model_directed
from assistant.text.sentences import split_sentences
from assistant.types import IndexedSource
from ingest.catalogue import Catalogue
from ingest.chunking import chunk_text
from ingest.fetch import FETCHED_KIND, fetched_sources
from ingest.library import manifest_for, owner_folder, server_lock
from ingest.loaders import LoadedDocument, display_name, load

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
WHOLE_UNIT_KINDS = ("table_row", "figure")


@dataclass(frozen=True)
class SourceFile:
    """A file to index and the catalogue record it is indexed under."""

    path: Path
    record: SourceRecord | None  # None: a user document, recorded from what the loader finds
    library_path: PurePosixPath | None = None  # a user document's path inside the library ("batch0/summary.txt")


@dataclass(frozen=True)
class Prepared:
    source: IndexedSource
    chunks: list[Chunk]


def _slug(text: str) -> str:
    # \w is Unicode-aware: a Greek or Chinese name keeps readable letters rather than becoming "document".
    return re.sub(r"[\W_]+", "-", text.casefold()).strip("-")[:48].strip("-") or "document"


def user_source_id(library_path: str | PurePosixPath) -> str:
    """Stable, unique id of the user document stored at ``library_path`` inside the library (a bare file name for a
    file added on its own, "batch0/summary.txt" for one added with its folder): a readable slug of the path and a
    short hash of its exact text, so "a b.md" and "a-b.md", "Notes.TXT" and "notes.txt", or two names in a script
    the slug cannot spell, never share an id."""
    path = PurePosixPath(library_path)
    exact = path.as_posix().encode("utf-8", "surrogateescape")
    suffix = path.suffix.lower().lstrip(".") or "file"
    return f"user-{_slug(path.with_suffix('').as_posix())}-{suffix}-{hashlib.sha256(exact).hexdigest()[:8]}"


def is_hidden(name: str) -> bool:
    """A dot-file or dot-folder: never indexed (the library keeps its own temporary copies under such names)."""
    return name.startswith(".")


def library_files(user_dir: Path) -> dict[PurePosixPath, Path]:
    """Every user document in the library by its path inside it (sub-folders included, hidden names excluded)."""
    found: dict[PurePosixPath, Path] = {}
    if not user_dir.exists():
        return found
    for root, dirs, files in os.walk(user_dir):
        dirs[:] = sorted(d for d in dirs if not is_hidden(d))
        for name in sorted(files):
            path = Path(root) / name
            if not is_hidden(name) and path.is_file():
                found[PurePosixPath(path.relative_to(user_dir).as_posix())] = path
    return found


def discover(settings: Settings, catalogue: Catalogue) -> list[SourceFile]:
    """Every file the index should hold: the catalogue's corpus files, the cited works fetched beside their
    evidence notes (``python -m assistant fetch-evidence``; kind "fetched work"), then the user documents."""
    files = [
        SourceFile(settings.corpus_dir / r.file, r)
        for r in catalogue.records
        if r.file and r.kind != FETCHED_KIND and (settings.corpus_dir / r.file).exists()
    ]
    files += [SourceFile(path, record) for path, record in fetched_sources(settings, catalogue)]
    files += [SourceFile(path, None, rel) for rel, path in library_files(settings.user_documents_dir).items()]
    return files


def shown_path(library_path: str | PurePosixPath) -> str:
    """A library path as its owner knows it: without the owner's '@' folder ("@ana-1a2b3c4d/memo.md" -> "memo.md")."""
    parts = PurePosixPath(library_path).parts
    return display_name(PurePosixPath(*parts[1:]).as_posix() if len(parts) > 1 and parts[0].startswith("@")
                        else PurePosixPath(library_path).as_posix())


def _record_for(doc: LoadedDocument, library_path: PurePosixPath) -> SourceRecord:
    meta = doc.metadata
    shown = shown_path(library_path)
    return SourceRecord(
        id=str(meta.get("id") or user_source_id(library_path)),
        title=str(meta.get("title") or doc.title)[:200],
        citation=str(meta.get("citation") or f"{doc.title} (user document: {shown})"),
        url=str(meta["url"]) if meta.get("url") else None,
        kind="user document",
        file=display_name(library_path.as_posix()),
        licence=str(meta.get("licence", "supplied by the user")),
        basis=str(meta.get("basis", "")),
    )


def posing_as(doc: LoadedDocument, catalogue: Catalogue) -> tuple[str, SourceRecord] | None:
    """The front matter key (id, title or citation) by which a user document claims a catalogue source, and that
    source; None when it claims none. Compared case-insensitively, ignoring spacing."""

    def same(a: object, b: str) -> bool:
        return " ".join(str(a).split()).casefold() == " ".join(b.split()).casefold()

    for key in ("id", "title", "citation"):
        value = doc.metadata.get(key)
        if value is None or not str(value).strip():
            continue
        record = next((r for r in catalogue.records if same(value, getattr(r, key))), None)
        if record is not None:
            return key, record
    return None


def _refuse_posing(doc: LoadedDocument, catalogue: Catalogue, path: Path) -> None:
    claimed = posing_as(doc, catalogue)
    if claimed is None:
        return
    key, owner = claimed
    if key == "id":
        reason = (f"source id '{owner.id}' is already used by {owner.file or owner.title}: "
                  "give this document another id in its front matter")
    else:
        reason = (f"its front matter {key} is the {key} of the catalogue source '{owner.id}': a user document "
                  f"cannot pose as a catalogue source; remove or change the {key}")
    raise LoaderError(display_name(path), reason)


def _without_instructions(doc: LoadedDocument) -> LoadedDocument:
    """A user document with its sentences addressed to an AI model blanked (questions.blank_model_directed), so
    they can neither be retrieved, nor quoted, nor crowd the report out of the passages a question gets."""
    return replace(doc, text=doc.text[: doc.body_start] + blank_model_directed(doc.text[doc.body_start :]))


def prepare(source: SourceFile, settings: Settings, embeddings: MiniLMEmbeddings, catalogue: Catalogue) -> Prepared:
    """Load and chunk one file within the per-file budget (raises LoaderError).

    A user document's chunks carry origin "user document" and its file name as their title (what citations show:
    "Your document: memo.md"), whatever its front matter says; front matter claiming a catalogue source's id,
    title or citation refuses the file; sentences addressed to an AI model are blanked before chunking.
    """
    doc = load(source.path, max_bytes=settings.max_upload_bytes, limits=settings.ingest)
    indexed = doc
    if source.record is None:
        _refuse_posing(doc, catalogue, source.path)
    record = source.record or _record_for(doc, source.library_path or PurePosixPath(source.path.name))
    if source.record is None:
        indexed = _without_instructions(doc)
        chunks = _chunks(indexed, record, source, settings, embeddings, catalogue)
        if not chunks:
            # Nothing but instructions (and headings): kept as written, so the user sees it listed and can remove
            # it; its sentences are still never quoted (compose and the drafting Evidence apply the same rule).
            indexed = doc
            chunks = _chunks(doc, record, source, settings, embeddings, catalogue)
        chunks = [c.model_copy(update={"origin": "user document"}) for c in chunks]
    else:
        chunks = _chunks(doc, record, source, settings, embeddings, catalogue)
    if not chunks:
        raise LoaderError(display_name(source.path), "no text to index after parsing")
    if len(chunks) > settings.ingest.max_chunks:
        raise LoaderError(
            display_name(source.path),
            f"too much text: {len(chunks):,} chunks, limit {settings.ingest.max_chunks:,} (split the document)",
        )
    digest = hashlib.sha256(indexed.text.encode()).hexdigest()
    return Prepared(IndexedSource(record, indexed.text, digest, len(chunks)), chunks)


def _chunks(
    doc: LoadedDocument, record: SourceRecord, source: SourceFile, settings: Settings, embeddings: MiniLMEmbeddings,
    catalogue: Catalogue,
) -> list[Chunk]:
    return chunk_text(
        doc.text,
        source_id=record.id,
        title=record.title if source.record else shown_path(record.file or source.path.name),
        count=embeddings.count_tokens,
        budget=settings.chunk_tokens,
        page_starts=doc.page_starts,
        box_ends=catalogue.box_ends.get(record.id),
        body_start=doc.body_start,
    )


def sentence_units(chunk: Chunk) -> list[tuple[str, int, int, str]]:
    """(chunk id, start, end, text to embed) for each unit an answer may quote from this chunk."""
    if chunk.kind in WHOLE_UNIT_KINDS:
        return [(chunk.id, chunk.start, chunk.end, chunk.display_text)]
    units = []
    for s, e in split_sentences(chunk.text, chunk.start):
        units.append((chunk.id, s, e, chunk.text[s - chunk.start : e - chunk.start]))
    return units


@dataclass(frozen=True)
class Added:
    """What ``add_files`` did: the library files now in place (``new``: those this call created; ``replaced``: a
    replaced file's earlier version, kept aside until the index holds the new one) and the errors."""

    accepted: list[Path]
    new: list[Path]
    errors: list[FileError]
    replaced: dict[Path, Path] = field(default_factory=dict)


def add_files(
    paths: Iterable[Path], settings: Settings, *, replace: bool = False, follow_links: bool = False,
    folder: PurePosixPath | None = None,
) -> Added:
    """Validate files and copy the readable ones into the user documents folder.

    Each file succeeds or fails on its own: whatever one file causes becomes that file's FileError. A folder keeps
    its shape: ``reports/2024/summary.txt`` goes in as "reports/2024/summary.txt", so same-named files in two
    sub-folders are two documents. Hidden files and folders, unsupported types and symbolic links (unless
    ``follow_links``) are reported, never silently passed over. A different file under a name already in the
    library is refused unless ``replace``; the same bytes again change nothing.
    """
    target_dir = settings.user_documents_dir
    target_dir.mkdir(parents=True, exist_ok=True)
    found, errors = _expand(paths, follow_links)
    added = Added([], [], errors)
    top = folder or PurePosixPath()
    for path, library_path in ((p, top / rel) for p, rel in found):
        try:
            _add_file(path, library_path, settings, target_dir, added, replace=replace)
        except LoaderError as exc:
            errors.append(FileError(path=exc.path, reason=exc.reason))
        except Exception as exc:  # noqa: BLE001 - one bad file must never abort the batch
            errors.append(_unexpected(path, exc))
    return added


def _expand(paths: Iterable[Path], follow_links: bool) -> tuple[list[tuple[Path, PurePosixPath]], list[FileError]]:
    """Each file to add with its path inside the library, and what is passed over (reported, not silent)."""
    found: list[tuple[Path, PurePosixPath]] = []
    errors: list[FileError] = []

    def skip(path: Path, reason: str) -> None:
        errors.append(FileError(path=display_name(path), reason=reason))

    link = "a symbolic link, not followed (add --follow-links to index what it points to)"
    for path in paths:
        if path.is_symlink() and not follow_links:
            skip(path, link)
        elif path.is_dir():
            # The folder's own name (resolved, so "." or ".." name the real folder) heads its files' paths.
            top = PurePosixPath(path.resolve().name or "folder")
            for root, dirs, files in os.walk(path, followlinks=follow_links):
                here = Path(root)
                for name in sorted(dirs):
                    sub = here / name
                    if is_hidden(name):
                        skip(sub, "a hidden folder (its name starts with '.'): not searched")
                    elif sub.is_symlink() and not follow_links:
                        skip(sub, link)
                dirs[:] = sorted(d for d in dirs if not is_hidden(d) and (follow_links or not (here / d).is_symlink()))
                for name in sorted(files):
                    file = here / name
                    if is_hidden(name):
                        skip(file, "a hidden file (its name starts with '.'): not indexed; rename it to add it")
                    elif file.is_symlink() and not follow_links:
                        skip(file, link)
                    else:
                        found.append((file, top / file.relative_to(path).as_posix()))
        elif is_hidden(path.name):
            skip(path, "a hidden file (its name starts with '.'): not indexed; rename it to add it")
        else:
            found.append((path, PurePosixPath(path.name)))
    return found, errors


def _add_file(
    path: Path, library_path: PurePosixPath, settings: Settings, target_dir: Path, added: Added, *, replace: bool
) -> None:
    """Copy ``path`` into the library as ``library_path``, recording it in ``added`` (raises LoaderError)."""
    if not path.exists():
        raise LoaderError(display_name(path), "file not found")
    load(path, max_bytes=settings.max_upload_bytes, limits=settings.ingest)
    resolved = path.resolve()
    if resolved.is_relative_to(settings.corpus_dir.resolve()) or resolved.is_relative_to(target_dir.resolve()):
        added.accepted.append(resolved)
        return
    target = target_dir / library_path
    if target in added.accepted:
        raise LoaderError(display_name(path), f"another file in this batch is also named '{shown_path(library_path)}'")
    backup = None
    if target.exists():
        if _same_bytes(path, target):
            added.accepted.append(target)
            return
        if not replace:
            raise LoaderError(
                display_name(path),
                f"a different document named '{shown_path(library_path)}' is already in your library: "
                "replace it (--replace on the command line) or rename the file",
            )
    # A short hidden name for the copy in progress: "." + a 255-byte name + ".partial" is too long for the
    # file system (ENAMETOOLONG), and hidden files are never indexed.
    key = hashlib.sha256(library_path.as_posix().encode("utf-8", "surrogateescape")).hexdigest()[:16]
    partial = target_dir / f".upload-{key}.partial"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, partial)
        if target.exists():  # replacing: the earlier version waits aside until the new one is indexed
            backup = target_dir / f".replaced-{key}"
            target.replace(backup)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if backup is not None and not target.exists():
            backup.replace(target)
        raise LoaderError(display_name(path), f"could not be copied into the library ({exc.strerror or exc})") from exc
    added.accepted.append(target)
    if backup is None:
        added.new.append(target)
    else:
        added.replaced[target] = backup


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return _digest(a) == _digest(b)


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def remove_library_file(path: Path, user_dir: Path) -> None:
    """Delete one library file and the sub-folders it leaves empty."""
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != user_dir and parent.is_relative_to(user_dir) and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _unexpected(path: Path, exc: Exception) -> FileError:
    """A per-file error for a failure no loader anticipated, logged with its traceback for the developers."""
    log.warning("unexpected failure on %s", display_name(path), exc_info=exc)
    return FileError(path=display_name(path), reason=f"could not be read ({exc.__class__.__name__}: {exc})"[:500])


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """One ingest at a time per data folder, across threads and processes (two uploads at once, or the CLI
    while the app runs): each would otherwise drop the other's unfinished generation."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_ingest(
    settings: Settings,
    embeddings: MiniLMEmbeddings,
    store: IndexStore,
    catalogue: Catalogue,
    *,
    paths: Sequence[Path] = (),
    progress: Progress | None = None,
    replace: bool = False,
    follow_links: bool = False,
    user: str | None = None,
    drop: Collection[str] = (),
) -> IngestReport:
    """Bring the index in line with the corpus and user documents; add ``paths`` first, as ``user``'s documents
    (private to them until shared; ``replace``: a different file under a name already in their library replaces
    it; ``follow_links``: symbolic links are followed); ``drop``: user document ids to take out of the index.

    On a shared Chroma server the index is the team's library: documents another app process added (whose files
    are in its own data folder) are kept as indexed unless dropped, and ingests queue behind a lock in the server.
    """
    store.require_writable()
    team = server_lock(store.client, store.prefix, stale_seconds=settings.ingest.lock_stale_seconds) \
        if settings.chroma_host else nullcontext()
    with exclusive(settings.data_dir / "ingest.lock"), team:
        return _run_ingest(
            settings, embeddings, store, catalogue, paths=paths, progress=progress, replace=replace,
            follow_links=follow_links, user=user or settings.default_user, drop=frozenset(drop),
        )


def _run_ingest(
    settings: Settings,
    embeddings: MiniLMEmbeddings,
    store: IndexStore,
    catalogue: Catalogue,
    *,
    paths: Sequence[Path],
    progress: Progress | None,
    replace: bool,
    follow_links: bool,
    user: str,
    drop: frozenset[str],
) -> IngestReport:
    began = time.perf_counter()
    report = IngestReport()
    result = Added([], [], [])
    if paths:
        folder = owner_folder(user, settings.default_user)
        manifest_for(settings.chroma_host, settings.user_documents_dir, store.client, store.prefix).register_owner(
            folder, user)
        result = add_files(paths, settings, replace=replace, follow_links=follow_links, folder=folder)
        report.skipped.extend(result.errors)
    added = set(result.new)
    try:
        built = _build(settings, embeddings, store, catalogue, report, added, result.replaced, progress, began, drop,
                       quick=bool(paths) or bool(drop))
    except BaseException:
        # Nothing stays half-queued: files this run copied in leave with it, and replaced files get their
        # earlier version back, so the next ingest does not meet them again (and fail the same way).
        for path in added:
            remove_library_file(path, settings.user_documents_dir)
        for target, backup in result.replaced.items():
            backup.replace(target)
        raise
    for backup in result.replaced.values():
        backup.unlink(missing_ok=True)
    return built


def _signature(settings: Settings, catalogue: Catalogue, embeddings: MiniLMEmbeddings) -> str:
    """What chunking a file depends on besides its bytes: the chunking settings and limits, the model (its tokenizer
    counts the budget) and the catalogue (a user document may not pose as one of its sources)."""
    model = getattr(embeddings, "onnx_path", None)
    limits = settings.ingest.model_dump(exclude={"lock_stale_seconds"})
    records = [r.model_dump_json() for r in catalogue.records]
    parts = [settings.chunk_tokens, settings.max_upload_bytes, limits, Path(model).name if model else "", records,
             catalogue.box_ends]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def file_key(source: SourceFile, signature: str) -> str:
    """The key a source is indexed under: its place (catalogue id or library path), its bytes and ``signature``. An
    ingest adding or removing documents reuses, unread, every stored source whose file still has its key ('': the
    file cannot be read, so it is loaded, and fails, as usual)."""
    place = f"catalogue:{source.record.id}" if source.record else f"library:{source.library_path or source.path.name}"
    try:
        with source.path.open("rb") as handle:
            data = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""
    return hashlib.sha256(f"{place}\0{data}\0{signature}".encode("utf-8", "surrogateescape")).hexdigest()


def _build(
    settings: Settings,
    embeddings: MiniLMEmbeddings,
    store: IndexStore,
    catalogue: Catalogue,
    report: IngestReport,
    added: set[Path],
    replaced: dict[Path, Path],
    progress: Progress | None,
    began: float,
    drop: frozenset[str] = frozenset(),
    quick: bool = False,
) -> IngestReport:
    """Write one segment holding the sources that changed, mark the replaced and removed ones, switch.

    ``quick`` (an ingest adding or removing documents): a file whose key (its bytes, place and what chunking
    depends on) is the one stored is not read again; its stored source is kept as it is. Otherwise (``python -m
    assistant ingest``) every file is loaded and chunked again and compared with what is stored, so a change of
    the chunker's code is caught too. Either way only the sources that differ are written.
    """
    active = store.active_generation()
    stored = {s.record.id: s for s in store.sources(active, texts=False)} if active else {}
    by_key = {s.key: s for s in stored.values() if s.key}
    signature = _signature(settings, catalogue, embeddings)

    kept: dict[str, IndexedSource] = {}  # stored sources the new generation holds as they are (by reference)
    prepared: list[Prepared] = []
    for source in discover(settings, catalogue):
        report.files += 1
        key = file_key(source, signature)
        hit = by_key.get(key) if quick and key else None
        if hit is not None and hit.record.id not in kept and all(p.source.record.id != hit.record.id for p in prepared):
            kept[hit.record.id] = hit
            continue
        try:
            item = prepare(source, settings, embeddings, catalogue)
            # A user document whose front matter claims an id already in use is skipped like any other
            # bad file; raising here would block every later ingest until the file was deleted by hand.
            owner = next((p.source.record for p in prepared if p.source.record.id == item.source.record.id),
                         kept[item.source.record.id].record if item.source.record.id in kept else None)
            if owner is not None:
                raise LoaderError(
                    str(source.path),
                    f"source id '{owner.id}' is already used by {owner.file or owner.title}: "
                    "give this document another id in its front matter",
                )
            prepared.append(Prepared(replace(item.source, key=key), item.chunks))
        except Exception as exc:  # noqa: BLE001 - whatever one file causes is that file's error
            if isinstance(exc, LoaderError | ValueError):
                reason = exc.reason if isinstance(exc, LoaderError) else str(exc)
                error = FileError(path=display_name(source.path), reason=reason)
            else:
                error = _unexpected(source.path, exc)
            if source.path in added:  # refused on its first ingest: not left in the library to fail again
                remove_library_file(source.path, settings.user_documents_dir)
                added.discard(source.path)
                error = FileError(path=error.path, reason=f"{error.reason} (not added)")
            backup = replaced.pop(source.path, None)
            if backup is not None:  # a refused replacement: the earlier version stays, as indexed
                backup.replace(source.path)
                error = FileError(path=error.path, reason=f"{error.reason} (the earlier version is kept)")
            report.skipped.append(error)
            library_id = user_source_id(source.library_path) if source.library_path else None
            old = stored.get(source.record.id if source.record else library_id or "")
            if old and old.record.id not in kept:  # a file that became unreadable keeps its last good chunks
                kept[old.record.id] = old
    if settings.chroma_host:
        # The team's library: keep what other app processes added or fetched (their files are in their own data
        # folders; the index holds each one's text, chunks and vectors), unless asked to drop it.
        here = set(kept) | {p.source.record.id for p in prepared}
        local = {f.as_posix() for f in library_files(settings.user_documents_dir)}
        for sid, old in stored.items():
            if old.record.kind in ("user document", "fetched work") and sid not in here and sid not in drop \
                    and old.record.file not in local:
                kept[sid] = old
    ids = [p.source.record.id for p in prepared] + list(kept)
    duplicates = {i for i, n in Counter(ids).items() if n > 1}
    if duplicates:
        raise ValueError(f"two files claim the same source id: {', '.join(sorted(duplicates))}")

    # Only the sources read again, and the removed ones, are compared with what is stored: their stored chunks.
    removed = set(stored) - set(ids)
    touched = {p.source.record.id for p in prepared} & stored.keys() | removed
    old_chunks = {c.id: c for c in store.chunks(active, source_ids=touched)} if touched else {}
    before: dict[str, list[Chunk]] = {}
    for chunk in old_chunks.values():
        before.setdefault(chunk.source_id, []).append(chunk)
    writing: list[Prepared] = []
    for item in prepared:
        sid = item.source.record.id
        was = stored.get(sid)
        # Ids hash a chunk's text and place, not its metadata: a chunker change that only moves locators or pages
        # keeps every id, and must still rewrite the source (with the stored vectors) rather than skip it.
        same = was is not None and (was.record, was.digest, was.chunks, was.key) == (
            item.source.record, item.source.digest, item.source.chunks, item.source.key)
        if was is not None and same and sorted(before.get(sid, []), key=lambda c: c.seq) == item.chunks:
            kept[sid] = was
        else:
            writing.append(item)
    retired = (removed | {p.source.record.id for p in writing}) & stored.keys()

    new_ids = {c.id for p in prepared for c in p.chunks}
    report.chunks_total = sum(s.chunks for s in kept.values()) + sum(len(p.chunks) for p in writing)
    report.removed = len(old_chunks.keys() - new_ids)
    for chunk in (c for p in writing for c in p.chunks):
        if chunk.id not in old_chunks:
            if chunk.source_id in stored:
                report.updated += 1
            else:
                report.added += 1
    report.unchanged = report.chunks_total - report.added - report.updated
    if active and not writing and not retired:
        store.forget_embedded()  # whatever a failed ingest left there is not needed
        report.seconds = time.perf_counter() - began
        return report

    generation = store.new_generation()
    new_chunks = [c for p in writing for c in p.chunks]
    reuse = {c.id for c in new_chunks} & old_chunks.keys()
    carried = {c.source_id for c in new_chunks if c.id in reuse}
    old_vectors = store.chunk_vectors(active, source_ids=carried) if reuse else {}
    old_sentences = store.sentence_rows(active, chunk_ids=reuse) if reuse else {}
    fresh = [c for c in new_chunks if c.id not in reuse]
    fresh_units = [u for c in fresh for u in sentence_units(c)]
    texts = [c.display_text for c in fresh] + [u[3] for u in fresh_units]
    # Each text's vector is looked up by a hash of the model and the text: what an earlier ingest that failed or
    # was killed embedded (IndexStore.embedded) is taken as it is, and only the rest is embedded, in batches kept
    # as they finish, so an interrupted ingest loses at most the batches since the last one kept.
    model = getattr(embeddings, "onnx_path", None)
    tag = Path(model).name if model else type(embeddings).__name__
    keys = [hashlib.sha256(f"{tag}\0{t}".encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
    embedded = store.embedded(keys)
    todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in embedded}  # each distinct text once
    total = len(todo)
    done = 0
    keep_every = 1024  # texts between writes to the side cache: about 10 s of embedding on 2 cores
    pending: list[str] = []
    if progress:
        progress(0, total, "embedding")

    def keep() -> None:
        if pending:
            store.keep_embedded(pending, np.vstack([embedded[k] for k in pending]))
            pending.clear()

    # Batches of similar length (sorted over the whole set, not per progress step) keep padding low.
    order = sorted(todo, key=lambda k: len(todo[k]))
    try:
        for b in range(0, len(order), 32):
            step = order[b : b + 32]
            embedded.update(zip(step, embeddings.embed([todo[k] for k in step]), strict=True))
            pending += step
            done += len(step)
            if len(pending) >= keep_every:
                keep()
            if progress:
                progress(done, total, "embedding")
        keep()
    except BaseException:
        try:  # an exception or Ctrl-C: keep what was embedded for the next ingest (a kill loses the last batch)
            keep()
        except Exception as exc:  # noqa: BLE001 - the original failure is the one to report
            log.warning("could not keep the vectors embedded so far: %s", exc)
        raise
    fresh_vectors = {c.id: embedded[k] for c, k in zip(fresh, keys, strict=False)}
    unit_keys = keys[len(fresh) :]
    unit_vectors = np.vstack([embedded[k] for k in unit_keys]) if unit_keys else np.zeros((0, 384), np.float32)

    known = {**old_vectors, **fresh_vectors}
    vectors = np.vstack([known[c.id] for c in new_chunks]) if new_chunks else np.zeros((0, 384), np.float32)
    store.write_chunks(generation, new_chunks, vectors)
    rows = list(fresh_units)
    row_vectors = [unit_vectors]
    for cid in sorted(reuse):
        kept_rows, kept_vecs = old_sentences.get(cid, ([], np.zeros((0, 384), np.float32)))
        rows += kept_rows
        row_vectors.append(kept_vecs)
    store.write_sentences(generation, rows, np.vstack(row_vectors))
    store.write_sources(generation, [p.source for p in writing])
    store.retire(generation, retired)
    store.activate(generation)
    store.forget_embedded()
    added.clear()  # indexed now: nothing to take back whatever happens next
    report.changed = True
    report.seconds = time.perf_counter() - began
    if progress:
        progress(total, total, "done")
    return report
