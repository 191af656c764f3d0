"""Paged store reads and writes, and an interrupted ingest resumed, on a real Chroma in tmp_path with the real model.

The pages are patched down to 7 rows so that 50 rows cross many page edges; a whole-collection get() of a 100x
library overflowed SQLite's variable limit (issue 14), which is why every call is paged.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fixtures.make_pdfs import small_corpus

from assistant import store as store_module
from assistant.embeddings import MiniLMEmbeddings
from assistant.schemas import Chunk, SourceRecord
from assistant.settings import Settings
from assistant.store import IndexStore
from assistant.types import IndexedSource
from ingest.catalogue import Catalogue
from ingest.chunking import chunk_id
from ingest.pipeline import run_ingest

NOTES = ["morris-2023", "deci-1999", "tallack-2020"]
ROWS = 50


class Interrupted(Exception):
    """Raised by a progress callback to stop an ingest part-way through embedding."""


class CountingEmbeddings(MiniLMEmbeddings):
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: MiniLMEmbeddings) -> None:  # share the loaded session: no second model load
        self.__dict__.update(inner.__dict__)
        self.texts = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        return super().embed(texts)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_READ_PAGE", 7)
    monkeypatch.setattr(store_module, "_WRITE_PAGE", 7)


@pytest.fixture
def settings(tmp_path: Path, make_settings: Callable[..., Settings]) -> Settings:
    """Three evidence notes and a user document of 120 sentences already in the library (about 150 texts to embed)."""
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", NOTES))
    settings.user_documents_dir.mkdir(parents=True, exist_ok=True)
    paragraphs = (
        " ".join(f"In ward {w} the council repaired {w * 3 + s} street lights in season {s}." for s in range(6))
        for w in range(20)
    )
    (settings.user_documents_dir / "lights.md").write_text("# Street lights\n\n" + "\n\n".join(paragraphs) + "\n")
    return settings


def _chunks(n: int) -> list[Chunk]:
    out = []
    for i in range(n):
        text = f"Paragraph {i}: the council counted {i} benches along the canal path."
        start, end = 100 * i, 100 * i + len(text)
        out.append(Chunk(
            id=chunk_id("note", start, end, text, ""), source_id="note", title="Note", section=f"Part > {i % 3}",
            kind="text", locator=f"para {i}", seq=i, start=start, end=end, text=text, cites=[f"Author {i} (2020)"],
            context_spans=[(start, start + 4)], page=i % 4 or None,
        ))
    return out


def test_paged_writes_read_back_whole(small_pages: None, settings: Settings, embeddings: MiniLMEmbeddings) -> None:
    store = IndexStore(settings, embeddings)
    generation = store.new_generation()
    chunks = _chunks(ROWS)
    vectors = embeddings.embed([c.text for c in chunks])
    rows = [(c.id, c.start, c.start + 9, c.text[:9]) for c in chunks]
    records = [SourceRecord(id=f"s{i}", title=f"Source {i}", citation=f"Source {i} (2024)", kind="user document")
               for i in range(ROWS)]
    sources = [IndexedSource(r, f"text of {r.id}", f"digest-{r.id}", 1) for r in records]

    store.write_chunks(generation, chunks, vectors)
    store.write_sentences(generation, rows, vectors)
    store.write_sources(generation, sources)
    store.activate(generation)

    assert store.chunks() == sorted(chunks, key=lambda c: (c.source_id, c.seq))
    stored = store.chunk_vectors()
    assert set(stored) == {c.id for c in chunks}
    for chunk, vector in zip(chunks, vectors, strict=True):
        assert np.allclose(stored[chunk.id], vector, atol=1e-6)
    grouped = store.sentence_rows()
    assert {cid: kept for cid, (kept, _) in grouped.items()} == {row[0]: [row] for row in rows}
    sentences = store.sentence_vectors()
    order = [sentences.chunk_ids.index(c.id) for c in chunks]
    assert [sentences.texts[i] for i in order] == [r[3] for r in rows]
    assert np.allclose(sentences.vectors[order], vectors, atol=1e-6)
    assert sorted(store.sources(), key=lambda s: s.record.id) == sorted(sources, key=lambda s: s.record.id)


def _index(store: IndexStore) -> tuple[list[Chunk], dict[str, np.ndarray], dict[tuple[str, int, int, str], np.ndarray]]:
    sentences = store.sentence_vectors()
    rows = {
        (cid, int(s), int(e), t): v
        for cid, s, e, t, v in zip(sentences.chunk_ids, sentences.starts, sentences.ends, sentences.texts,
                                   sentences.vectors, strict=True)
    }
    return store.chunks(), store.chunk_vectors(), rows


def test_an_interrupted_ingest_resumes_where_it_stopped(
    small_pages: None, settings: Settings, embeddings: MiniLMEmbeddings, make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    counting = CountingEmbeddings(embeddings)
    store = IndexStore(settings, counting)
    catalogue = Catalogue.load(settings.corpus_dir)
    batches = 2

    def stop_after_batches(done: int, total: int, stage: str) -> None:
        if stage == "embedding" and done >= batches * 32:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_ingest(settings, counting, store, catalogue, progress=stop_after_batches)
    assert store.active_generation() is None  # nothing half-written is ever current
    first = counting.texts
    assert first == batches * 32

    totals: list[int] = []
    report = run_ingest(settings, counting, store, catalogue, progress=lambda done, total, stage: totals.append(total))
    assert report.changed and store.active_generation() is not None
    clean_settings = make_settings(data_dir=tmp_path / "clean", corpus_dir=settings.corpus_dir)
    shutil.copytree(settings.user_documents_dir, clean_settings.user_documents_dir)
    clean_counting = CountingEmbeddings(embeddings)
    clean = IndexStore(clean_settings, clean_counting)
    run_ingest(clean_settings, clean_counting, clean, catalogue)

    assert counting.texts - first == totals[0] == clean_counting.texts - first > 0  # only the remainder
    assert not (settings.data_dir / store_module._CACHE_DIR).exists()  # the side cache goes once the index is current
    chunks, vectors, rows = _index(store)
    clean_chunks, clean_vectors, clean_rows = _index(clean)
    assert chunks == clean_chunks
    assert vectors.keys() == clean_vectors.keys()
    assert all(np.allclose(vectors[k], clean_vectors[k], atol=1e-5) for k in vectors)
    assert rows.keys() == clean_rows.keys()
    assert all(np.allclose(rows[k], clean_rows[k], atol=1e-5) for k in rows)
    assert sorted(store.sources(), key=lambda s: s.record.id) == sorted(clean.sources(), key=lambda s: s.record.id)
