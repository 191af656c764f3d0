"""Idempotent, atomic ingestion: files -> chunks -> vectors -> a new index generation.

Why not LangChain's ``index()`` with a record manager: it writes into the live collection, so a
``kill -9`` half-way leaves a mix of old and new chunks. We build a whole new generation (reusing
the stored vectors of every unchanged chunk, so only changed files are embedded) and switch to it
with one atomic pointer update; re-running with nothing changed writes nothing at all.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

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
from ingest.loaders import SUPPORTED, LoadedDocument, display_name, load

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
WHOLE_UNIT_KINDS = ("table_row", "figure")


@dataclass(frozen=True)
class SourceFile:
    """A file to index and the catalogue record it is indexed under."""

    path: Path
    record: SourceRecord | None  # None: a user document, recorded from what the loader finds


@dataclass(frozen=True)
class Prepared:
    source: IndexedSource
    chunks: list[Chunk]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "document"


def user_source_id(path: Path) -> str:
    """Stable id of a user document, from its file name."""
    return f"user-{_slug(path.stem)}-{path.suffix.lower().lstrip('.')}"


def discover(settings: Settings, catalogue: Catalogue) -> list[SourceFile]:
    """Every file the index should hold: the catalogue's corpus files, then the user documents."""
    files = [
        SourceFile(settings.corpus_dir / r.file, r)
        for r in catalogue.records
        if r.file and (settings.corpus_dir / r.file).exists()
    ]
    user_dir = settings.user_documents_dir
    if user_dir.exists():
        files += [SourceFile(p, None) for p in sorted(user_dir.iterdir()) if p.is_file() and not p.name.startswith(".")]
    return files


def _record_for(doc: LoadedDocument, path: Path) -> SourceRecord:
    meta = doc.metadata
    return SourceRecord(
        id=str(meta.get("id") or user_source_id(path)),
        title=str(meta.get("title") or doc.title)[:200],
        citation=str(meta.get("citation") or f"{doc.title} (user document: {path.name})"),
        url=str(meta["url"]) if meta.get("url") else None,
        kind="user document",
        file=path.name,
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
    record = source.record or _record_for(doc, source.path)
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
        title=record.title if source.record else display_name(source.path.name),
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


def add_files(paths: Iterable[Path], settings: Settings) -> tuple[list[Path], list[FileError]]:
    """Validate files and copy the readable ones into the user documents folder.

    Each file succeeds or fails on its own: whatever one file causes becomes that file's FileError.
    """
    accepted: list[Path] = []
    errors: list[FileError] = []
    target_dir = settings.user_documents_dir
    target_dir.mkdir(parents=True, exist_ok=True)
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
        else:
            expanded.append(path)
    for path in expanded:
        try:
            accepted.append(_add_file(path, settings, target_dir))
        except LoaderError as exc:
            errors.append(FileError(path=exc.path, reason=exc.reason))
        except Exception as exc:  # noqa: BLE001 - one bad file must never abort the batch
            errors.append(_unexpected(path, exc))
    return accepted, errors


def _add_file(path: Path, settings: Settings, target_dir: Path) -> Path:
    if not path.exists():
        raise LoaderError(display_name(path), "file not found")
    load(path, max_bytes=settings.max_upload_bytes, limits=settings.ingest)
    resolved = path.resolve()
    if resolved.is_relative_to(settings.corpus_dir.resolve()) or resolved.parent == target_dir.resolve():
        return resolved
    target = target_dir / path.name
    # A short hidden name for the copy in progress: "." + a 255-byte name + ".partial" is too long for the
    # file system (ENAMETOOLONG), and hidden files are never indexed.
    partial = target_dir / f".upload-{hashlib.sha256(path.name.encode()).hexdigest()[:16]}.partial"
    try:
        shutil.copyfile(path, partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise LoaderError(display_name(path), f"could not be copied into the library ({exc.strerror or exc})") from exc
    return target


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
) -> IngestReport:
    """Bring the index in line with the corpus and user documents; add ``paths`` first."""
    with exclusive(settings.data_dir / "ingest.lock"):
        return _run_ingest(settings, embeddings, store, catalogue, paths=paths, progress=progress)


def _run_ingest(
    settings: Settings,
    embeddings: MiniLMEmbeddings,
    store: IndexStore,
    catalogue: Catalogue,
    *,
    paths: Sequence[Path],
    progress: Progress | None,
) -> IngestReport:
    began = time.perf_counter()
    report = IngestReport()
    existing = {p.name for p in settings.user_documents_dir.iterdir()} if settings.user_documents_dir.exists() else set()
    added: set[Path] = set()
    if paths:
        accepted, errors = add_files(paths, settings)
        report.skipped.extend(errors)
        added = {p for p in accepted if p.parent == settings.user_documents_dir and p.name not in existing}
    try:
        return _build(settings, embeddings, store, catalogue, report, added, progress, began)
    except BaseException:
        # Nothing stays half-queued: files this run copied in leave with it, so the next ingest does not
        # meet them again (and fail the same way) without the user asking.
        for path in added:
            path.unlink(missing_ok=True)
        raise


def _build(
    settings: Settings,
    embeddings: MiniLMEmbeddings,
    store: IndexStore,
    catalogue: Catalogue,
    report: IngestReport,
    added: set[Path],
    progress: Progress | None,
    began: float,
) -> IngestReport:
    active = store.active_generation()
    old_chunks = {c.id: c for c in store.chunks(active)} if active else {}
    old_sources = {s.record.id: s for s in store.sources(active)} if active else {}

    prepared: list[Prepared] = []
    for source in discover(settings, catalogue):
        report.files += 1
        try:
            item = prepare(source, settings, embeddings, catalogue)
            # A user document whose front matter claims an id already in use is skipped like any other
            # bad file; raising here would block every later ingest until the file was deleted by hand.
            owner = next((p.source.record for p in prepared if p.source.record.id == item.source.record.id), None)
            if owner is not None:
                raise LoaderError(
                    str(source.path),
                    f"source id '{owner.id}' is already used by {owner.file or owner.title}: "
                    "give this document another id in its front matter",
                )
            prepared.append(item)
        except Exception as exc:  # noqa: BLE001 - whatever one file causes is that file's error
            if isinstance(exc, LoaderError | ValueError):
                reason = exc.reason if isinstance(exc, LoaderError) else str(exc)
                error = FileError(path=display_name(source.path), reason=reason)
            else:
                error = _unexpected(source.path, exc)
            if source.path in added:  # refused on its first ingest: not left in the library to fail again
                source.path.unlink(missing_ok=True)
                added.discard(source.path)
                error = FileError(path=error.path, reason=f"{error.reason} (not added)")
            report.skipped.append(error)
            kept = old_sources.get(source.record.id) if source.record else None
            if kept:  # a file that became unreadable keeps its last good chunks: nothing is lost
                prepared.append(Prepared(kept, [c for c in old_chunks.values() if c.source_id == kept.record.id]))
    ids = [p.source.record.id for p in prepared]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"two files claim the same source id: {', '.join(sorted(duplicates))}")

    new_chunks = [c for p in prepared for c in p.chunks]
    new_ids = {c.id for c in new_chunks}
    report.chunks_total = len(new_chunks)
    report.unchanged = len(new_ids & old_chunks.keys())
    report.removed = len(old_chunks.keys() - new_ids)
    for chunk in new_chunks:
        if chunk.id not in old_chunks:
            if chunk.source_id in old_sources:
                report.updated += 1
            else:
                report.added += 1
    same_sources = {s: old_sources[s].record for s in old_sources} == {
        p.source.record.id: p.source.record for p in prepared
    }
    # Ids hash a chunk's text and place, not its metadata: a chunker change that only moves locators or pages
    # keeps every id, and must still rewrite the index (with the stored vectors) rather than skip it.
    same_metadata = all(old_chunks.get(c.id) == c for c in new_chunks)
    if active and new_ids == old_chunks.keys() and same_sources and same_metadata:
        report.seconds = time.perf_counter() - began
        return report

    generation = store.new_generation()
    reuse = new_ids & old_chunks.keys()
    old_vectors = store.chunk_vectors(active) if active and reuse else {}
    old_sentences = store.sentence_rows(active) if active and reuse else {}
    fresh = [c for c in new_chunks if c.id not in reuse]
    fresh_units = [u for c in fresh for u in sentence_units(c)]
    total = len(fresh) + len(fresh_units)
    done = 0
    if progress:
        progress(0, total, "embedding")

    def embed(texts: list[str]) -> np.ndarray:
        # Batches of similar length (sorted over the whole set, not per progress step) keep padding low.
        nonlocal done
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), 32):
            step = order[b : b + 32]
            out[step] = embeddings.embed([texts[i] for i in step])
            done += len(step)
            if progress:
                progress(done, total, "embedding")
        return out

    fresh_vectors = dict(zip([c.id for c in fresh], embed([c.display_text for c in fresh]), strict=True))
    unit_vectors = embed([u[3] for u in fresh_units])

    known = {**old_vectors, **fresh_vectors}
    vectors = np.vstack([known[c.id] for c in new_chunks]) if new_chunks else np.zeros((0, 384), np.float32)
    store.write_chunks(generation, new_chunks, vectors)
    rows = list(fresh_units)
    row_vectors = [unit_vectors]
    for cid in reuse:
        kept_rows, kept_vecs = old_sentences.get(cid, ([], np.zeros((0, 384), np.float32)))
        rows += kept_rows
        row_vectors.append(kept_vecs)
    store.write_sentences(generation, rows, np.vstack(row_vectors))
    store.write_sources(generation, [p.source for p in prepared])
    store.activate(generation)
    added.clear()  # indexed now: nothing to take back whatever happens next
    report.changed = True
    report.seconds = time.perf_counter() - began
    if progress:
        progress(total, total, "done")
    return report
