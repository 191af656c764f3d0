"""The only module that talks to Chroma: embedded (persistent folder) or a shared `chroma run` server.

An index is a *generation*: a list of *segments*, each three collections (chunks, sentence vectors, source texts)
written once by one ingest and never changed after. An ingest writes one new segment holding only the sources it
added or changed, and lists the sources it replaced or removed as *excluded* from the older segments that hold
them; every other source stays in its segment and belongs to the new generation by reference. The generation's
list (its manifest, one record) is written, then made current by one upsert of a pointer record: a crash before
that upsert leaves the previous generation current and untouched, and the next ingest deletes the unfinished
segment. Segments only the current generation and the one before it no longer list are deleted.

Why segments that are collections of their own, rather than rows stamped with generations in one collection: an
embedded Chroma holds each collection's vector index in memory, per process, so a collection changed by another
process (the CLI ingesting while the app answers) reads wrong there ("Error finding id"); a collection written
once and never changed reads the same everywhere. Chroma's own ``fork`` (copy by reference) is not implemented
for a local Chroma. To keep dense retrieval to a few queries, an ingest also merges into its segment the newest
older segments no larger than it (a binary counter: about log2(library / document) segments, each row rewritten
about that many times over its life), and any segment more dead than alive.

Every read and write is paged (a whole-collection get() of a large library overflows SQLite's variable
limit), and the vectors an ingest embeds are kept in a side cache as it goes, so an ingest that fails or is
killed is resumed by the next one rather than started over; the index still only switches whole.

The environment is checked too: a read-only data folder is served from a private temporary copy (answers
work, writes raise `DataFolderReadOnlyError`), and a write that runs out of space drops the half-written
generation and raises `DiskFullError`, leaving the previous generation current.
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
import tempfile
import time
import weakref
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import DataFolderReadOnlyError, DiskFullError
from assistant.files import writable
from assistant.schemas import Chunk, SourceRecord
from assistant.settings import Settings
from assistant.types import IndexedSource, SentenceVectors

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)
_POINTER_ID = "active"
# Rows per Chroma call. Every read and write is paged: one get() of a whole 100x library (52,785 sentence rows)
# failed with SQLite's "too many SQL variables" (issue 14), and Chroma refuses an add() over
# client.get_max_batch_size() rows (5,461 with chromadb 1.5 embedded), which both pages stay under. Reads of
# 2,000 rows of 384-float vectors, texts and metadata are a few MB each; writes keep the 500 rows the disk-full
# margin below was measured with. Not tuned: any size under the batch limit gives the same index.
_READ_PAGE = 2_000
_WRITE_PAGE = 500
# Ids in one "$in" clause (a read of some sources' rows): each is one SQL variable, well under SQLite's limit.
_IN_PAGE = 200
_PARTS = ("chunks", "sentences", "sources")
_DIM = 384
# The side cache of embedded vectors an interrupted ingest resumes from (see IndexStore.embedded).
_CACHE_DIR = "embedding-cache"
# Each segment collection's rows, copied whole into one file the first time they are read (``IndexStore._whole``):
# numpy reads it in one go where Chroma takes thousands of paged gets (issue 14: most of a 14 s cold start over a
# 100x library). A copy is named after the collection's id (Chroma gives each collection it creates a new one) and
# is written only of a segment a generation's manifest lists, whose collections are complete and never change again:
# so a copy is never stale. Chroma stays the index: a missing or unreadable copy is read from it again. (Why not
# compare row counts: Chroma's count() took 0.1 s a collection, a fifth of what the copies save.)
_COPY_DIR = "segment-copies"
# How SQLite, Chroma's Rust bindings and the OS say a write ran out of space.
_DISK_FULL_WORDS = ("database or disk is full", "no space left", "disk full", "disk is full")
# Chroma does not always say why a write failed ("Error in compaction: Failed to apply logs to the metadata
# segment" on a full tmpfs): a Chroma error with less room than this left is taken as lack of space. One batch
# (_WRITE_PAGE chunks: 384-float vectors, texts and metadata) with SQLite's journal needs about 2-4 MB.
_ROOM_FOR_A_BATCH = 4_000_000


def _stamp(generation: str) -> int:
    return int(generation.lstrip("g") or 0)


@dataclass(frozen=True)
class Segment:
    """One ingest's rows, in the collections named after the generation that wrote them."""

    name: str
    excluded: tuple[str, ...] = ()  # source ids whose rows here a later generation replaced or removed
    rows: int = 0  # chunk rows
    dead: int = 0  # chunk rows of the excluded sources

    @property
    def live(self) -> int:
        return self.rows - self.dead


def _source_of(part: str, metadata: dict[str, Any]) -> str:
    """The source id a row of ``part`` belongs to ('' for a sentence: those go by their chunk)."""
    if part == "chunks":
        return str(metadata.get("source_id", ""))
    if part == "sources":
        return str(metadata.get("source_id") or json.loads(metadata["record"])["id"])
    return ""


class SegmentSearch:
    """Dense retrieval over a generation's segments: each chunk collection asked for its ``k`` nearest, without the
    excluded sources, and the answers merged by cosine (one segment: exactly the one query it was before)."""

    def __init__(self, parts: Sequence[tuple[Chroma, tuple[str, ...]]]) -> None:
        self.parts = list(parts)

    def search(self, vector: Sequence[float], k: int, where: dict | None) -> list[tuple[str, float]]:
        hits: list[tuple[float, int, int, str]] = []
        for order, (collection, excluded) in enumerate(self.parts):
            clause = where
            if excluded:
                skip = {"source_id": {"$nin": list(excluded)}}
                clause = skip if where is None else {"$and": [where, skip]}
            found = collection.similarity_search_by_vector_with_relevance_scores(list(vector), k=k, filter=clause)
            hits += [(1.0 - float(distance), order, rank, str(doc.metadata.get("id")))
                     for rank, (doc, distance) in enumerate(found)]
        if len(self.parts) > 1:
            hits.sort(key=lambda hit: (-hit[0], hit[1], hit[2]))
        return [(cid, score) for score, _, _, cid in hits[:k]]


def make_client(settings: Settings) -> Any:
    """A Chroma client: HttpClient when MISSION_DESK_CHROMA_HOST is set, else a persistent folder."""
    return _open_client(settings)[0]


def _open_client(settings: Settings) -> tuple[Any, Path | None]:
    """The client, and the private copy of the Chroma folder it reads when that folder is read-only (else None).

    Chroma's Rust bindings write to their SQLite file as they start, so a read-only folder cannot be opened
    in place: a temporary copy is opened instead (deleted with the client, or at exit) and serves answers.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings), None
    path = settings.data_dir / "chroma"
    if writable(path):
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings), None
    copy = Path(tempfile.mkdtemp(prefix="mission-desk-readonly-"))
    if path.is_dir():
        shutil.copytree(path, copy, dirs_exist_ok=True)
    client = chromadb.PersistentClient(path=str(copy), settings=chroma_settings)
    weakref.finalize(client, shutil.rmtree, copy, ignore_errors=True)
    return client, copy


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) says a write ran out of space."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(word in str(current).lower() for word in _DISK_FULL_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def _chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    data = chunk.model_dump(exclude={"text", "context_spans", "cites", "page", "page_end"})
    data["context_spans"] = json.dumps(chunk.context_spans)
    data["cites"] = json.dumps(chunk.cites)
    # Chroma metadata cannot hold None: -1 stands for "no page".
    data["page"] = chunk.page if chunk.page is not None else -1
    data["page_end"] = chunk.page_end if chunk.page_end is not None else -1
    data["text"] = chunk.text
    return data


def _chunk_from(metadata: dict[str, Any]) -> Chunk:
    data = dict(metadata)
    data["context_spans"] = [tuple(s) for s in json.loads(data["context_spans"])]
    data["cites"] = json.loads(data["cites"])
    data["page"] = None if data.get("page", -1) == -1 else data["page"]
    data["page_end"] = None if data.get("page_end", -1) == -1 else data["page_end"]  # absent in older indexes
    return Chunk.model_validate(data)


class IndexStore:
    """Generations of the index in one Chroma client; everything else goes through this class."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: Any | None = None) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.copy_dir: Path | None = None  # the private copy served when the data folder is read-only
        if client is None:
            client, self.copy_dir = _open_client(settings)
        self.client = client
        self.prefix = settings.collection
        self._max_batch: int | None = None  # the client's largest batch, asked once
        self._segments: dict[str, list[Segment]] = {}  # generation -> its segments (never changed once written)
        self._retired: dict[str, set[str]] = {}  # generation being written -> sources it no longer holds
        self._listed: set[str] = set()  # segments a generation's manifest lists: complete, never to change

    # -- the environment ----------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        """True when the data folder cannot be written: answers come from a temporary copy of the index."""
        return self.copy_dir is not None

    @property
    def folder(self) -> Path:
        """The Chroma folder this store reads and writes (the data folder's, even when serving a copy)."""
        return self.settings.data_dir / "chroma"

    def require_writable(self) -> None:
        """Raise DataFolderReadOnlyError when the index cannot be changed (call before any ingest)."""
        if self.read_only:
            raise DataFolderReadOnlyError(str(self.settings.data_dir))

    def _restart(self) -> None:
        """Restart an embedded client's Rust bindings in place.

        After SQLite reports a full disk, the bindings hang on the next write (seen with chromadb 1.5); a fresh
        start reads the unchanged file again. Every Collection object holds the same server, so all recover.
        """
        server = getattr(self.client, "_server", None)
        if server is not None and hasattr(server, "bindings"):
            server.stop()
            server.start()

    def _disk_full(self, generation: str | None) -> DiskFullError:
        """Recover from a write that ran out of space: drop ``generation`` (half-written) to free what it can."""
        self._restart()
        if generation is not None:
            try:
                self._drop(generation)
            except Exception as exc:  # noqa: BLE001 - the next ingest drops what is left
                log.warning("could not drop the unfinished generation %s: %s", generation, exc)
                self._restart()
        free = shutil.disk_usage(self.folder).free if self.folder.exists() else 0
        return DiskFullError(str(self.folder), free / 1e6)

    def _out_of_space(self, exc: BaseException) -> bool:
        """Whether a failed write failed for lack of space: it says so, or Chroma failed with the disk all but full."""
        from chromadb.errors import ChromaError

        if is_disk_full(exc):
            return True
        if self.settings.chroma_host or not isinstance(exc, ChromaError) or not self.folder.exists():
            return False
        return shutil.disk_usage(self.folder).free < _ROOM_FOR_A_BATCH

    @contextmanager
    def _writing(self, generation: str | None) -> Iterator[None]:
        """Turn a write that runs out of space into DiskFullError, dropping the half-written ``generation``."""
        self.require_writable()
        try:
            yield
        except Exception as exc:
            if not self._out_of_space(exc):
                raise
            raise self._disk_full(generation) from exc

    def _drop(self, generation: str) -> None:
        """Delete the segment the unfinished ``generation`` was writing."""
        names = self._names()
        for part in _PARTS:
            if self._name(generation, part) in names:
                self.client.delete_collection(self._name(generation, part))
        self._retired.pop(generation, None)

    # -- generations --------------------------------------------------------------------------
    def _names(self) -> set[str]:
        return {c if isinstance(c, str) else c.name for c in self.client.list_collections()}

    def _name(self, generation: str, part: str) -> str:
        return f"{self.prefix}-{generation}-{part}"

    def _pointer(self) -> Any:
        return self.client.get_or_create_collection(f"{self.prefix}-pointer", embedding_function=None)

    def _manifests(self) -> Any:
        """One record per generation kept: its list of segments (JSON). A generation without one (the layout before
        segments) is the one segment of its own name."""
        return self.client.get_or_create_collection(f"{self.prefix}-manifests", embedding_function=None)

    def _pointed(self) -> dict[str, Any]:
        got = self._pointer().get(ids=[_POINTER_ID], include=["metadatas"])
        return dict(got["metadatas"][0]) if got["ids"] else {}

    def active_generation(self) -> str | None:
        """The generation queries read, or None before the first complete ingest."""
        generation = self._pointed().get("generation")
        return None if generation is None else str(generation)

    def segments(self, generation: str) -> list[Segment]:
        """The segments ``generation`` is made of, oldest first (a generation's list never changes once written)."""
        known = self._segments.get(generation)
        if known is not None:
            return known
        got = self._manifests().get(ids=[generation], include=["documents"])
        if got["ids"]:
            found = [Segment(d["name"], tuple(d["excluded"]), int(d["rows"]), int(d["dead"]))
                     for d in json.loads(got["documents"][0])]
            self._listed.update(s.name for s in found)
        else:
            name = self._name(generation, "chunks")
            rows = int(self.client.get_collection(name).count()) if name in self._names() else 0
            found = [Segment(generation, (), rows, 0)]
        self._segments[generation] = found
        return found

    def new_generation(self) -> str:
        """Name a fresh generation and delete any unfinished ones left by an interrupted ingest."""
        with self._writing(None):
            self.drop_inactive()
        return f"g{time.time_ns()}"

    def activate(self, generation: str) -> None:
        """List ``generation``'s segments (merging small ones into its own), make it current (one atomic upsert),
        then drop the segments neither it nor the one before lists."""
        previous = self.active_generation()
        with self._writing(generation):
            segments = self._compose(generation, previous)
            self._manifests().upsert(
                ids=[generation], embeddings=[[1.0]], metadatas=[{"previous": previous or ""}],
                documents=[json.dumps([{"name": s.name, "excluded": list(s.excluded), "rows": s.rows, "dead": s.dead}
                                       for s in segments])],
            )
            self._segments[generation] = segments
            self._listed.update(s.name for s in segments)
            self._pointer().upsert(
                ids=[_POINTER_ID], metadatas=[{"generation": generation, "previous": previous or ""}],
                embeddings=[[1.0]], documents=[""],
            )
        try:
            self.drop_inactive()
        except Exception as exc:
            if not self._out_of_space(exc):
                raise
            # The switch is done: the older segments stay until the next ingest, which drops them.
            self._restart()
            log.warning("disk full: older index generations are kept until the next ingest")

    def _compose(self, generation: str, previous: str | None) -> list[Segment]:
        """The new generation's segments: the previous one's, with the sources ``retire`` named excluded where they
        are, then its own segment, into which the newest segments no larger than it (and any segment with more
        excluded rows than live ones) are copied."""
        retired = self._retired.pop(generation, set())
        names = self._names()
        older: list[Segment] = []
        for segment in self.segments(previous) if previous else []:
            pending = retired - set(segment.excluded)
            hit = sorted(set(self._source_ids(segment.name)) & pending) if pending else []
            if hit:
                chunks = self._existing(segment.name, "chunks")
                dead = len(self._ids(chunks, source_ids=hit)) if chunks is not None else 0
                segment = Segment(segment.name, (*segment.excluded, *hit), segment.rows, segment.dead + dead)
            older.append(segment)
        own = self._name(generation, "chunks")
        size = int(self.client.get_collection(own).count()) if own in names else 0
        ratio = self.settings.ingest.segment_merge_ratio
        kept: list[Segment] = []
        tail = True  # still walking the newest segments, which merge while no larger than what they join
        for segment in reversed(older):
            if segment.live <= 0:
                continue  # nothing of it is left: not copied, not listed
            if (tail and segment.live <= ratio * max(size, 1)) or segment.dead > segment.live:
                self._copy(segment, generation)
                size += segment.live
            else:
                tail = False
                kept.append(segment)
        kept.reverse()
        written = size > 0 or any(self._name(generation, part) in names and
                                  self.client.get_collection(self._name(generation, part)).count() for part in _PARTS)
        return [*kept, Segment(generation, (), size, 0)] if written else kept

    def _copy(self, segment: Segment, generation: str) -> None:
        """Copy ``segment``'s live rows into ``generation``'s segment (as they are: ids, vectors, texts, metadata)."""
        for part in _PARTS:
            source = self._existing(segment.name, part)
            if source is None:
                continue
            got = self._live(segment, part, self._whole(source, ["metadatas", "documents", "embeddings"], segment.name))
            metadatas = got["metadatas"]
            if part == "sources":  # rows written before segments lack their source id (by which reads filter)
                metadatas = [{**m, "source_id": _source_of(part, m)} for m in metadatas]
            self._add(self._collection(generation, part), got["ids"], got["embeddings"], documents=got["documents"],
                      metadatas=metadatas)

    def drop_inactive(self) -> None:
        """Delete every segment neither the current generation nor the one before it lists (and the lists of other
        generations): what older generations alone held, and what an interrupted ingest left unfinished.

        The one before stays because another process (the app, while the CLI ingests) may be answering
        from it at this moment; it notices the switch within a second and moves on.
        """
        pointed = self._pointed()
        keep = [g for g in (pointed.get("generation"), pointed.get("previous")) if g]
        listed = {segment.name for g in keep for segment in self.segments(g)}
        for name in self._names():
            parts = name.split("-")
            if name.startswith(f"{self.prefix}-g") and len(parts) >= 3 and parts[-1] in _PARTS \
                    and parts[-2] not in listed:
                self.client.delete_collection(name)
        self._prune_copies()
        manifests = self._manifests()
        stale = [i for i in manifests.get(include=[])["ids"] if i not in keep]
        if stale:
            manifests.delete(ids=stale)

    # -- copies of whole segments ---------------------------------------------------------------
    @property
    def _copy_dir(self) -> Path:
        return self.settings.data_dir / _COPY_DIR

    def _whole(self, collection: Any, include: list[str], segment: str) -> dict[str, Any]:
        """Every row of a collection of ``segment``, as ``_get_all`` gives them (its order, the ``include`` columns):
        from the segment's copy when there is one, else from Chroma, keeping a copy when the segment is listed."""
        path = self._copy_dir / f"{collection.name}@{collection.id}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                return {
                    "ids": json.loads(data["ids"].tobytes()),
                    "metadatas": json.loads(data["metadatas"].tobytes()) if "metadatas" in include else [],
                    "documents": json.loads(data["documents"].tobytes()) if "documents" in include else [],
                    "embeddings": data["embeddings"] if "embeddings" in include
                    else np.zeros((0, _DIM), np.float32),
                }
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:  # torn, or of another layout
            # (the store renames only whole copies in, but a disk can fail under one): Chroma answers.
            log.warning("reading %s from Chroma: its copy %s is unusable (%s)", collection.name, path.name, exc)
        if segment not in self._listed or self.read_only:
            return self._get_all(collection, include)
        got = self._get_all(collection, ["metadatas", "documents", "embeddings"])
        self._keep_copy(path, got)
        return {**got, **{key: [] for key in ("metadatas", "documents") if key not in include},
                "embeddings": got["embeddings"] if "embeddings" in include else np.zeros((0, _DIM), np.float32)}

    def _keep_copy(self, path: Path, got: dict[str, Any]) -> None:
        """Write a segment's copy whole, then rename it into place: a reader never meets half of one."""
        def packed(value: Any) -> np.ndarray:
            return np.frombuffer(json.dumps(value).encode(), dtype=np.uint8)

        partial: Path | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".partial")
            partial = Path(name)
            with open(handle, "wb") as out:
                np.savez(out, ids=packed(got["ids"]), metadatas=packed(got["metadatas"]),
                         documents=packed(got["documents"]), embeddings=np.asarray(got["embeddings"], np.float32))
            partial.replace(path)
        except OSError as exc:  # a full disk, say: the next read comes from Chroma again
            log.warning("could not keep a copy of %s: %s", path.name, exc)
        finally:
            if partial is not None:
                partial.unlink(missing_ok=True)

    def _prune_copies(self) -> None:
        """Delete the copies (and copies left half-written) of collections that no longer exist."""
        if not self._copy_dir.is_dir():
            return
        listed = self.client.list_collections()
        if any(isinstance(c, str) for c in listed):
            return  # a client that lists names only: which ids are gone is unknown, so keep them
        live = {str(c.id) for c in listed}
        for path in self._copy_dir.iterdir():
            # '<name>@<id>.npz' or '.<name>@<id>.<random>.partial': Chroma's names and ids hold no '@', its ids no '.'
            if path.name.rpartition("@")[2].split(".")[0] not in live:
                path.unlink(missing_ok=True)

    # -- paging -------------------------------------------------------------------------------
    def _page(self, size: int) -> int:
        """``size`` rows, or fewer when the client takes fewer in one call."""
        if self._max_batch is None:
            try:
                self._max_batch = int(self.client.get_max_batch_size())
            except Exception:  # noqa: BLE001 - an older server without the call: the pages are well under its limit
                self._max_batch = size
        return max(1, min(size, self._max_batch))

    def _add(self, collection: Any, ids: Sequence[str], vectors: np.ndarray, **columns: Sequence[Any]) -> None:
        """``collection.add`` in pages of _WRITE_PAGE rows."""
        size = self._page(_WRITE_PAGE)
        for b in range(0, len(ids), size):
            collection.add(
                ids=list(ids[b : b + size]),
                embeddings=np.asarray(vectors[b : b + size], dtype=np.float32).tolist(),
                **{name: list(values[b : b + size]) for name, values in columns.items()},
            )

    def _ids(self, collection: Any, *, source_ids: Sequence[str]) -> list[str]:
        """The ids of the rows of ``source_ids`` in a chunk collection."""
        found: list[str] = []
        for b in range(0, len(source_ids), _IN_PAGE):
            where = {"source_id": {"$in": list(source_ids[b : b + _IN_PAGE])}}
            found += self._get_all(collection, [], where)["ids"]
        return found

    def _get_all(self, collection: Any, include: list[str], where: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every row of ``collection`` (that ``where`` selects), read in pages of _READ_PAGE rows (in the store's
        order, stable: a segment is never written once listed); embeddings come back as one (n, 384) float32 array."""
        size = self._page(_READ_PAGE)
        out: dict[str, Any] = {"ids": [], "metadatas": [], "documents": []}
        vectors: list[np.ndarray] = []
        offset = 0
        while True:
            got = collection.get(include=include, limit=size, offset=offset, where=where)
            ids = list(got["ids"])
            out["ids"] += ids
            for key in ("metadatas", "documents"):
                if key in include:
                    out[key] += list(got[key])
            if "embeddings" in include and ids:
                vectors.append(np.asarray(got["embeddings"], dtype=np.float32).reshape(len(ids), -1))
            if len(ids) < size:
                break
            offset += size
        out["embeddings"] = np.vstack(vectors) if vectors else np.zeros((0, _DIM), np.float32)
        return out

    # -- writing ------------------------------------------------------------------------------
    def _collection(self, generation: str, part: str) -> Any:
        return self.client.get_or_create_collection(
            self._name(generation, part), embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def _existing(self, generation: str, part: str) -> Any | None:
        try:
            return self.client.get_collection(self._name(generation, part), embedding_function=None)
        except Exception:  # noqa: BLE001 - chromadb raises several types for "does not exist"
            return None

    def write_chunks(self, generation: str, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        with self._writing(generation):
            self._add(
                self._collection(generation, "chunks"),
                [c.id for c in chunks],
                vectors,
                documents=[c.display_text for c in chunks],
                metadatas=[_chunk_metadata(c) for c in chunks],
            )

    def write_sentences(self, generation: str, rows: Sequence[tuple[str, int, int, str]], vectors: np.ndarray) -> None:
        """Rows are (chunk id, start, end, text) with one vector each."""
        with self._writing(generation):
            self._add(
                self._collection(generation, "sentences"),
                [f"{cid}:{s}:{e}" for cid, s, e, _ in rows],
                vectors,
                documents=[t for *_, t in rows],
                metadatas=[{"chunk_id": cid, "start": s, "end": e} for cid, s, e, _ in rows],
            )

    def write_sources(self, generation: str, sources: Iterable[IndexedSource]) -> None:
        with self._writing(generation):
            collection = self._collection(generation, "sources")
            items = list(sources)
            self._add(
                collection,
                [s.record.id for s in items],
                np.ones((len(items), 1), np.float32),  # texts are looked up by id, never searched
                documents=[s.text for s in items],
                metadatas=[
                    {"record": s.record.model_dump_json(), "digest": s.digest, "chunks": s.chunks, "key": s.key,
                     "source_id": s.record.id} for s in items
                ],
            )

    def retire(self, generation: str, source_ids: Collection[str]) -> None:
        """``generation`` no longer holds the stored rows of ``source_ids`` (its own segment replaces them, or they
        are removed): they are listed as excluded from their segments when it is activated."""
        self._retired.setdefault(generation, set()).update(source_ids)

    # -- resuming an interrupted ingest --------------------------------------------------------
    # Vectors embedded by an ingest are kept, as embedding proceeds, in a side cache keyed by a hash of the
    # embedded text (files in the data folder: an ingest always runs where its data folder and lock are). The
    # index itself is still only ever switched whole: an ingest that fails or is killed leaves the previous
    # generation answering, and the next ingest embeds only what the cache lacks. A successful ingest empties it.
    @property
    def _cache_dir(self) -> Path:
        return self.settings.data_dir / _CACHE_DIR

    def embedded(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors a previous, unfinished ingest embedded, for those of ``keys`` it reached."""
        wanted = set(keys)
        found: dict[str, np.ndarray] = {}
        if not wanted or not self._cache_dir.is_dir():
            return found
        for part in sorted(self._cache_dir.glob("*.npz")):
            try:
                with np.load(part, allow_pickle=False) as data:
                    names, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError) as exc:  # a torn file is only lost work
                log.warning("skipping an unreadable embedding cache file %s: %s", part.name, exc)
                continue
            for key, vector in zip(names.tolist(), vectors, strict=True):
                if key in wanted:
                    found[key] = np.asarray(vector, dtype=np.float32)
        return found

    def keep_embedded(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Add one batch of freshly embedded vectors to the side cache (written whole, then renamed into place)."""
        if not keys:
            return
        with self._writing(None):
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns()}-{len(keys)}"
            partial = self._cache_dir / f".{name}.partial"
            try:
                with partial.open("wb") as handle:
                    np.savez(handle, keys=np.asarray(list(keys), dtype=str), vectors=np.asarray(vectors, np.float32))
                partial.replace(self._cache_dir / f"{name}.npz")
            finally:
                partial.unlink(missing_ok=True)

    def forget_embedded(self) -> None:
        """Empty the side cache (after an ingest's generation is current, nothing there is needed)."""
        shutil.rmtree(self._cache_dir, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------------
    def _source_ids(self, segment: str) -> list[str]:
        """The source ids a segment holds (a small read: metadata of its sources only)."""
        collection = self._existing(segment, "sources")
        if collection is None:
            return []
        return [_source_of("sources", m) for m in self._whole(collection, ["metadatas"], segment)["metadatas"]]

    def _live(self, segment: Segment, part: str, got: dict[str, Any]) -> dict[str, Any]:
        """``got`` (rows of ``part`` read from ``segment``, with their metadata) without its excluded sources' rows."""
        if not segment.excluded:
            return got
        excluded = set(segment.excluded)
        if part == "sentences":
            chunks = self._existing(segment.name, "chunks")
            dropped = set(self._ids(chunks, source_ids=sorted(excluded))) if chunks is not None else set()
            keep = [i for i, m in enumerate(got["metadatas"]) if m["chunk_id"] not in dropped]
        else:
            keep = [i for i, m in enumerate(got["metadatas"]) if _source_of(part, m) not in excluded]
        return {
            "ids": [got["ids"][i] for i in keep], "metadatas": [got["metadatas"][i] for i in keep],
            "documents": [got["documents"][i] for i in keep] if got["documents"] else [],
            "embeddings": got["embeddings"][keep] if len(got["embeddings"]) else got["embeddings"],
        }

    def _read(
        self, part: str, include: list[str], generation: str | None = None, *, source_ids: Collection[str] | None = None,
        chunk_ids: Collection[str] | None = None, since: str | None = None,
    ) -> dict[str, Any]:
        """Rows of ``part`` in ``generation`` (the current one by default), segment by segment, oldest first: all of
        them, those of ``source_ids`` or ``chunk_ids`` (read in slices of _IN_PAGE ids), or those of the segments
        ``since`` (an older generation) does not list. Each row's segment is in ``"segment"``."""
        generation = generation or self.active_generation()
        out: dict[str, Any] = {"ids": [], "metadatas": [], "documents": [], "segment": []}
        vectors = [np.zeros((0, _DIM), np.float32)]
        segments = self.segments(generation) if generation else []
        if since is not None:
            before = {s.name for s in self.segments(since)}
            segments = [s for s in segments if s.name not in before]
        wanted = sorted(source_ids) if source_ids is not None else sorted(chunk_ids) if chunk_ids is not None else None
        key = "source_id" if source_ids is not None else "chunk_id"
        for segment in segments:
            collection = self._existing(segment.name, part)
            if collection is None:
                continue
            # Metadata is read only when asked for or needed to leave excluded sources out (a chunk's is its text).
            columns = sorted({*include, "metadatas"}) if segment.excluded or part == "sources" else include
            if wanted is None or part == "sources":  # source rows written before segments lack a source_id to select
                pages = [self._whole(collection, columns, segment.name)]
            else:
                pages = [self._get_all(collection, columns, {key: {"$in": wanted[b : b + _IN_PAGE]}})
                         for b in range(0, len(wanted), _IN_PAGE)]
            for got in pages:
                got = self._live(segment, part, got)
                if part == "sources" and source_ids is not None:
                    got = self._live(Segment(segment.name, tuple(
                        {_source_of(part, m) for m in got["metadatas"]} - set(source_ids))), part, got)
                out["ids"] += got["ids"]
                out["metadatas"] += got["metadatas"]
                out["documents"] += got["documents"]
                out["segment"] += [segment.name] * len(got["ids"])
                vectors.append(got["embeddings"] if "embeddings" in include else np.zeros((0, _DIM), np.float32))
        out["embeddings"] = np.vstack(vectors)
        return out

    def count_chunks(self, generation: str | None = None) -> int:
        """How many chunks ``generation`` (the current one by default) holds."""
        generation = generation or self.active_generation()
        return sum(s.live for s in self.segments(generation)) if generation else 0

    def chunks(
        self, generation: str | None = None, *, source_ids: Collection[str] | None = None, since: str | None = None,
    ) -> list[Chunk]:
        got = self._read("chunks", ["metadatas"], generation, source_ids=source_ids, since=since)
        return sorted((_chunk_from(m) for m in got["metadatas"]), key=lambda c: (c.source_id, c.seq))

    def chunk_vectors(
        self, generation: str | None = None, *, source_ids: Collection[str] | None = None, since: str | None = None,
    ) -> dict[str, np.ndarray]:
        got = self._read("chunks", ["embeddings"], generation, source_ids=source_ids, since=since)
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def sentence_rows(
        self, generation: str | None = None, *, chunk_ids: Collection[str] | None = None,
    ) -> dict[str, tuple[list[tuple[str, int, int, str]], np.ndarray]]:
        """Sentence rows and vectors grouped by chunk id (used to carry unchanged chunks over)."""
        got = self._read("sentences", ["metadatas", "embeddings", "documents"], generation, chunk_ids=chunk_ids)
        grouped: dict[str, tuple[list[tuple[str, int, int, str]], list[int]]] = {}
        for i, (meta, doc) in enumerate(zip(got["metadatas"], got["documents"], strict=True)):
            rows, at = grouped.setdefault(meta["chunk_id"], ([], []))
            rows.append((meta["chunk_id"], int(meta["start"]), int(meta["end"]), doc))
            at.append(i)
        vectors = got["embeddings"]
        return {cid: (rows, vectors[at]) for cid, (rows, at) in grouped.items()}

    def sentence_vectors(self, generation: str | None = None, *, since: str | None = None) -> SentenceVectors:
        got = self._read("sentences", ["metadatas", "embeddings", "documents"], generation, since=since)
        metas = got["metadatas"]
        return SentenceVectors(
            chunk_ids=[m["chunk_id"] for m in metas],
            starts=np.asarray([m["start"] for m in metas], dtype=np.int64),
            ends=np.asarray([m["end"] for m in metas], dtype=np.int64),
            texts=list(got["documents"]),
            vectors=got["embeddings"] if metas else np.zeros((0, _DIM), np.float32),
        )

    def sources(
        self, generation: str | None = None, *, source_ids: Collection[str] | None = None, since: str | None = None,
        texts: bool = True,
    ) -> list[IndexedSource]:
        """The sources of ``generation`` (``texts=False``: without their texts, a much smaller read); each with the
        segment holding it as its ``version``."""
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        got = self._read("sources", include, generation, source_ids=source_ids, since=since)
        documents = got["documents"] if texts else [""] * len(got["ids"])
        return [
            IndexedSource(SourceRecord.model_validate_json(m["record"]), doc, m["digest"], int(m["chunks"]),
                          key=str(m.get("key", "")), version=_stamp(segment))
            for m, doc, segment in zip(got["metadatas"], documents, got["segment"], strict=True)
        ]

    def vectorstore(self, generation: str | None = None) -> Chroma:
        """A generation made of one segment with nothing excluded (as one ingest into an empty store writes, e.g. the
        eval baselines) as a LangChain vector store; any other generation is searched through ``dense``."""
        from langchain_chroma import Chroma

        generation = generation or self.active_generation()
        segments = self.segments(generation) if generation else []
        if len(segments) != 1 or segments[0].excluded:
            raise LookupError(f"generation {generation} is not one whole segment: search it with dense()")
        return Chroma(client=self.client, collection_name=self._name(segments[0].name, "chunks"),
                      embedding_function=self.embeddings)

    def dense(self, generation: str | None = None) -> SegmentSearch:
        """A generation's chunks (the current one by default) for dense retrieval: each segment's chunk collection
        as a LangChain vector store, with the sources excluded from it."""
        from langchain_chroma import Chroma

        generation = generation or self.active_generation()
        if generation is None:
            raise LookupError("no index yet")
        return SegmentSearch([
            (Chroma(client=self.client, collection_name=self._name(s.name, "chunks"), embedding_function=self.embeddings),
             s.excluded)
            for s in self.segments(generation) if s.live > 0
        ])
