"""Pages in locators (issue 10): a PDF's chunks carry the real pages their text is on (a range when a figure
runs over a page break), the range survives the index, and re-ingesting a stale index rewrites locators."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fixtures.make_pdfs import small_corpus, write_pdf

from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.schemas import Chunk
from assistant.store import _chunk_from, _chunk_metadata
from ingest.chunking import chunk_text
from ingest.loaders import load
from ingest.pipeline import user_source_id

# Four pages; Figure 1 starts at the foot of page 2 and its Source line is at the top of page 3.
PAGES = [
    ["Harbour board annual review", "", "The harbour wall was repaired in March after the winter storms."],
    ["The ferry timetable doubled to twelve crossings a day in the summer.", "",
     "FIGURE 1", "Ferry crossings per day, 2019 to 2023", "Summer crossings rose from six to twelve"],
    ["Source: Harbour board ferry logs", "",
     "The fish market moved to the north quay and opens at five in the morning."],
    ["The lighthouse keeper retired in June after forty years of service."],
]


def _pages_of(chunk: Chunk) -> set[int]:
    """The pages whose drawn lines appear in the chunk's text (found independently of the chunker)."""
    return {n for n, lines in enumerate(PAGES, start=1) for line in lines if line and line in chunk.text}


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return write_pdf(tmp_path / "harbour-review.pdf", PAGES, title="Harbour board review")


def test_each_pdf_chunk_carries_the_pages_its_text_is_on(pdf: Path, embeddings: MiniLMEmbeddings) -> None:
    doc = load(pdf, max_bytes=1_000_000)
    assert doc.page_starts is not None and len(doc.page_starts) == len(PAGES)
    chunks = chunk_text(doc.text, source_id="p", title=doc.title, count=embeddings.count_tokens, budget=230,
                        page_starts=doc.page_starts)
    assert {n for c in chunks for n in _pages_of(c)} == set(range(1, len(PAGES) + 1))
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        pages = _pages_of(chunk)
        assert pages, chunk.text
        assert (chunk.page, chunk.page_end) == (min(pages), max(pages)), chunk.locator
        where = f"p. {chunk.page}" if chunk.page == chunk.page_end else f"pp. {chunk.page}–{chunk.page_end}"
        assert where in chunk.locator
        assert "from p." not in chunk.locator


def test_a_figure_over_a_page_break_carries_both_pages(pdf: Path, embeddings: MiniLMEmbeddings) -> None:
    doc = load(pdf, max_bytes=1_000_000)
    chunks = chunk_text(doc.text, source_id="p", title=doc.title, count=embeddings.count_tokens, budget=230,
                        page_starts=doc.page_starts)
    (figure,) = [c for c in chunks if c.kind == "figure"]
    assert figure.text.startswith("FIGURE 1") and figure.text.endswith("Source: Harbour board ferry logs")
    assert figure.locator.startswith("Figure 1 · pp. 2–3")
    assert (figure.page, figure.page_end) == (2, 3)
    (lighthouse,) = [c for c in chunks if "lighthouse" in c.text]
    assert (lighthouse.page, lighthouse.page_end) == (4, 4) and "p. 4" in lighthouse.locator


@pytest.mark.parametrize(("page", "page_end"), [(None, None), (25, None), (3, 3), (12, 17)])
def test_page_range_round_trips_through_chroma_metadata(page: int | None, page_end: int | None) -> None:
    chunk = Chunk(id="x", source_id="s", title="T", section="S", kind="text", locator="S", start=0, end=1, text="a",
                  page=page, page_end=page_end)
    metadata = _chunk_metadata(chunk)
    assert all(value is not None for value in metadata.values())  # Chroma rejects None
    assert _chunk_from(metadata) == chunk


def test_chunks_stored_before_page_end_existed_still_load() -> None:
    chunk = Chunk(id="x", source_id="s", title="T", section="S", kind="text", locator="S, from p. 12", start=0,
                  end=1, text="a", page=12)
    metadata = _chunk_metadata(chunk)
    del metadata["page_end"]
    assert _chunk_from(metadata) == chunk


def test_an_ingested_pdf_keeps_its_page_ranges_in_the_index(
    pdf: Path, tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings
) -> None:
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", ["morris-2023"]))
    assistant = Assistant(settings, embeddings=embeddings)
    assistant.ingest([pdf])
    stored = [c for c in assistant.store.chunks() if c.source_id == user_source_id(pdf.name)]
    (figure,) = [c for c in stored if c.kind == "figure"]
    assert (figure.page, figure.page_end) == (2, 3) and "pp. 2–3" in figure.locator
    for chunk in stored:
        pages = _pages_of(chunk)
        assert (chunk.page, chunk.page_end) == (min(pages), max(pages)), chunk.locator


def test_reingest_rewrites_stale_locators_and_keeps_the_vectors(
    pdf: Path, tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An index written by an older chunker has the same chunk ids (they hash text and place, not locators):
    re-ingesting must still write the fresh locators and pages, reusing the stored vectors."""
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", ["morris-2023"]))
    assistant = Assistant(settings, embeddings=embeddings)
    assistant.ingest([pdf])
    store = assistant.store
    generation = store.active_generation()
    assert generation is not None
    fresh = {c.id: c for c in store.chunks()}
    vectors = store.chunk_vectors()

    # Make the index look as an older chunker left it: chapter-start locators, no page_end.
    stale = {cid: c.model_copy(update={"locator": f"{c.locator} (stale)", "page_end": None})
             for cid, c in fresh.items()}
    store._collection(generation, "chunks").update(
        ids=list(stale), metadatas=[_chunk_metadata(c) for c in stale.values()]
    )
    # An older chunker's index has no segment copies (a segment is never changed in place, so the copy the read
    # above kept would still hold the fresh rows): drop them as that index would not have them.
    shutil.rmtree(store._copy_dir, ignore_errors=True)
    assert {c.id: c for c in store.chunks()} == stale

    def no_embedding(texts: list[str]) -> np.ndarray:
        raise AssertionError(f"re-embedded {len(texts)} texts: the stored vectors should be reused")

    monkeypatch.setattr(embeddings, "embed", no_embedding)
    report = assistant.ingest()

    assert report.changed and (report.added, report.removed) == (0, 0)
    assert {c.id: c for c in store.chunks()} == fresh
    after = store.chunk_vectors()
    assert after.keys() == vectors.keys()
    assert all(np.allclose(after[cid], vectors[cid], atol=1e-6) for cid in vectors)
    assert not assistant.ingest().changed  # and now it is up to date
