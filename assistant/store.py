"""The only module that talks to Chroma: embedded (persistent folder) or a shared `chroma run` server.

An index is a *generation*: three collections (chunks, sentence vectors, source texts) written in
full, then made current by one upsert of a pointer record. A crash before that upsert leaves the
previous generation current and untouched; the next ingest deletes the unfinished one.

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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
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
_PARTS = ("chunks", "sentences", "sources")
_DIM = 384
# The side cache of embedded vectors an interrupted ingest resumes from (see IndexStore.embedded).
_CACHE_DIR = "embedding-cache"
# How SQLite, Chroma's Rust bindings and the OS say a write ran out of space.
_DISK_FULL_WORDS = ("database or disk is full", "no space left", "disk full", "disk is full")
# Chroma does not always say why a write failed ("Error in compaction: Failed to apply logs to the metadata
# segment" on a full tmpfs): a Chroma error with less room than this left is taken as lack of space. One batch
# (_WRITE_PAGE chunks: 384-float vectors, texts and metadata) with SQLite's journal needs about 2-4 MB.
_ROOM_FOR_A_BATCH = 4_000_000


def _stamp(generation: str) -> int:
    return int(generation.lstrip("g") or 0)


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
        names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        for part in _PARTS:
            if self._name(generation, part) in names:
                self.client.delete_collection(self._name(generation, part))

    # -- generations --------------------------------------------------------------------------
    def _name(self, generation: str, part: str) -> str:
        return f"{self.prefix}-{generation}-{part}"

    def _pointer(self) -> Any:
        return self.client.get_or_create_collection(f"{self.prefix}-pointer", embedding_function=None)

    def active_generation(self) -> str | None:
        """The generation queries read, or None before the first complete ingest."""
        got = self._pointer().get(ids=[_POINTER_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        return str(got["metadatas"][0]["generation"])

    def new_generation(self) -> str:
        """Name a fresh generation and delete any unfinished ones left by an interrupted ingest."""
        with self._writing(None):
            self.drop_inactive()
        return f"g{time.time_ns()}"

    def activate(self, generation: str) -> None:
        """Make ``generation`` current (one atomic upsert), then drop the older ones."""
        with self._writing(generation):
            self._pointer().upsert(
                ids=[_POINTER_ID], metadatas=[{"generation": generation}], embeddings=[[1.0]], documents=[""]
            )
        try:
            self.drop_inactive()
        except Exception as exc:
            if not self._out_of_space(exc):
                raise
            # The switch is done: the older generations stay until the next ingest, which drops them.
            self._restart()
            log.warning("disk full: older index generations are kept until the next ingest")

    def drop_inactive(self) -> None:
        """Delete every generation but the current one and the one before it.

        The one before stays because another process (the app, while the CLI ingests) may be answering
        from it at this moment; it notices the switch within a second and moves on.
        """
        active = self.active_generation()
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        generations = {n.split("-")[-2] for n in names if n.startswith(f"{self.prefix}-g") and len(n.split("-")) >= 3}
        older = sorted((g for g in generations if active and _stamp(g) < _stamp(active)), key=_stamp)
        keep = {active, *older[-1:]}
        for name in names:
            parts = name.split("-")
            if name.startswith(f"{self.prefix}-g") and len(parts) >= 3 and parts[-2] not in keep:
                self.client.delete_collection(name)

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

    def _get_all(self, collection: Any, include: list[str]) -> dict[str, Any]:
        """Every row of ``collection``, read in pages of _READ_PAGE rows (in the store's order, stable for a
        generation, which is never written once active); embeddings come back as one (n, 384) float32 array."""
        size = self._page(_READ_PAGE)
        out: dict[str, Any] = {"ids": [], "metadatas": [], "documents": []}
        vectors: list[np.ndarray] = []
        offset = 0
        while True:
            got = collection.get(include=include, limit=size, offset=offset)
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
                    {"record": s.record.model_dump_json(), "digest": s.digest, "chunks": s.chunks} for s in items
                ],
            )

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
    def _read(self, part: str, include: list[str], generation: str | None = None) -> dict[str, Any]:
        generation = generation or self.active_generation()
        if generation is None:
            return {"ids": [], "metadatas": [], "embeddings": np.zeros((0, _DIM), np.float32), "documents": []}
        return self._get_all(self._collection(generation, part), include)

    def chunks(self, generation: str | None = None) -> list[Chunk]:
        got = self._read("chunks", ["metadatas"], generation)
        return sorted((_chunk_from(m) for m in got["metadatas"]), key=lambda c: (c.source_id, c.seq))

    def chunk_vectors(self, generation: str | None = None) -> dict[str, np.ndarray]:
        got = self._read("chunks", ["embeddings"], generation)
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def sentence_rows(self, generation: str | None = None) -> dict[str, tuple[list[tuple[str, int, int, str]], np.ndarray]]:
        """Sentence rows and vectors grouped by chunk id (used to carry unchanged chunks over)."""
        got = self._read("sentences", ["metadatas", "embeddings", "documents"], generation)
        grouped: dict[str, tuple[list[tuple[str, int, int, str]], list[int]]] = {}
        for i, (meta, doc) in enumerate(zip(got["metadatas"], got["documents"], strict=True)):
            rows, at = grouped.setdefault(meta["chunk_id"], ([], []))
            rows.append((meta["chunk_id"], int(meta["start"]), int(meta["end"]), doc))
            at.append(i)
        vectors = got["embeddings"]
        return {cid: (rows, vectors[at]) for cid, (rows, at) in grouped.items()}

    def sentence_vectors(self, generation: str | None = None) -> SentenceVectors:
        got = self._read("sentences", ["metadatas", "embeddings", "documents"], generation)
        metas = got["metadatas"]
        return SentenceVectors(
            chunk_ids=[m["chunk_id"] for m in metas],
            starts=np.asarray([m["start"] for m in metas], dtype=np.int64),
            ends=np.asarray([m["end"] for m in metas], dtype=np.int64),
            texts=list(got["documents"]),
            vectors=got["embeddings"] if metas else np.zeros((0, _DIM), np.float32),
        )

    def sources(self, generation: str | None = None) -> list[IndexedSource]:
        got = self._read("sources", ["metadatas", "documents"], generation)
        return [
            IndexedSource(SourceRecord.model_validate_json(m["record"]), doc, m["digest"], int(m["chunks"]))
            for m, doc in zip(got["metadatas"], got["documents"], strict=True)
        ]

    def vectorstore(self, generation: str | None = None) -> Chroma:
        """A generation's chunks (the current one by default) as a LangChain vector store (dense retrieval)."""
        from langchain_chroma import Chroma

        generation = generation or self.active_generation()
        if generation is None:
            raise LookupError("no index yet")
        return Chroma(
            client=self.client, collection_name=self._name(generation, "chunks"), embedding_function=self.embeddings
        )
