"""Generations made of segments (issue 14: adding one document to a 100x library in seconds, not minutes).

Real Chroma, real embeddings. What is counted is work, not time: the rows an ingest writes, the files it chunks
again, what the answering snapshot reads back. Speed is measured in bench/scale.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fixtures.make_pdfs import small_corpus
from rank_bm25 import BM25Okapi

import assistant.store as store_module
import ingest.pipeline as pipeline
from assistant import Assistant, Settings
from assistant.embeddings import MiniLMEmbeddings
from assistant.retrieval import HybridRetriever, KeywordIndex
from assistant.store import IndexStore
from ingest.pipeline import user_source_id

QUESTIONS = [
    "How many homes were insulated in Cumbria?",
    "What does the combined authority propose for bus services?",
    "What share of people were satisfied with the NHS in 2022?",
    "Which risks slow progress on flood resilience?",
]
TOPICS = [("bus services", "bus routes", "passenger journeys"), ("flood resilience", "flood defences", "homes at risk"),
          ("energy efficiency", "retrofit schemes", "homes insulated"), ("rough sleeping", "outreach teams", "people")]
PLACES = ["Cumbria", "Kent", "Devon", "Norfolk", "Merseyside", "the Tees Valley"]


def _paper(folder: Path, n: int, version: int = 1) -> Path:
    """A short policy paper of a few chunks; ``version`` changes its figures."""
    area, providers, unit = TOPICS[n % len(TOPICS)]
    place = PLACES[n % len(PLACES)]
    sections = []
    for s, heading in enumerate(["Summary", "Evidence", "Risks", "Recommendations"]):
        body = " ".join(
            f"In {place}, {100 * (n + 1) + 7 * s + i + version} {unit} were recorded in {2015 + i}, and the combined "
            f"authority proposes a pooled budget so that {providers} can plan {area} over more than one year."
            for i in range(4)
        )
        sections.append(f"## {heading}\n\n{body}\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"paper-{n:02d}.md"
    path.write_text(f"# {area.capitalize()} in {place}: paper {n}\n\n" + "\n".join(sections), encoding="utf-8")
    return path


def _rows(store: IndexStore, part: str, generation: str) -> list[dict]:
    """The rows of ``part`` the generation ``generation`` wrote (its segment)."""
    collection = store._existing(generation, part)
    return [] if collection is None else list(collection.get(include=["metadatas"])["metadatas"])


def _segment_rows(store: IndexStore, generation: str) -> dict[str, tuple[int, int, int]]:
    """Rows per part of each segment ``generation`` lists."""
    return {s.name: tuple(len(_rows(store, part, s.name)) for part in ("chunks", "sentences", "sources"))
            for s in store.segments(generation)}


class Chunked:
    """Counts the files an ingest loads and chunks (wrapping the real ``prepare``, which still does the work)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list[str] = []
        real = pipeline.prepare

        def counted(source: pipeline.SourceFile, *args: object, **kwargs: object) -> pipeline.Prepared:
            self.files.append(source.path.name)
            return real(source, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pipeline, "prepare", counted)


@pytest.fixture
def library(tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings) -> Assistant:
    """An Assistant over a small corpus and a library of six papers."""
    settings = make_settings(corpus_dir=small_corpus(tmp_path / "corpus", ["morris-2023"]))
    assistant = Assistant.load(settings, embeddings=embeddings)
    report = assistant.ingest([_paper(tmp_path / "papers", n) for n in range(6)])
    assert report.changed and not report.skipped
    return assistant


def _same_snapshot(a: HybridRetriever, b: HybridRetriever, embeddings: MiniLMEmbeddings) -> None:
    """Two snapshots hold the same passages, vectors, sentences, keyword ranking and vocabularies."""
    assert a.generation == b.generation
    assert a.chunks == b.chunks
    assert np.allclose(a.matrix, b.matrix, atol=1e-6)
    assert a.sentences.chunk_ids == b.sentences.chunk_ids and a.sentences.texts == b.sentences.texts
    assert np.array_equal(a.sentences.starts, b.sentences.starts) and np.array_equal(a.sentences.ends, b.sentences.ends)
    assert np.allclose(a.sentences.vectors, b.sentences.vectors, atol=1e-6)
    assert a.user_files == b.user_files and a._user_vocabularies == b._user_vocabularies
    assert a.vocabulary == b.vocabulary and a.catalogue_vocabulary == b.catalogue_vocabulary
    assert a.acronyms == b.acronyms
    for question in QUESTIONS:
        vector = embeddings.embed([question])[0]
        assert a.lexical(question, 20, lambda c: True) == b.lexical(question, 20, lambda c: True)
        assert a.retrieve(question, vector, k=6) == b.retrieve(question, vector, k=6)


def test_adding_one_document_writes_only_that_document(
    library: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = library.store
    before_generation = store.active_generation()
    assert before_generation is not None
    before_rows = _segment_rows(store, before_generation)
    snapshot = library.retriever
    chunked = Chunked(monkeypatch)

    new = _paper(tmp_path / "more", 7)
    report = library.ingest([new])

    generation = store.active_generation()
    assert report.changed and generation != before_generation
    # Only the new file was loaded and chunked; the other six papers and the corpus were passed over by their key.
    assert chunked.files == [new.name]
    # The new segment holds the new document's rows and nothing else.
    sid = user_source_id(new.name)
    chunks = _rows(store, "chunks", generation)
    assert len(chunks) == report.added == report.chunks_total - report.unchanged > 0
    assert {m["source_id"] for m in chunks} == {sid}
    assert [m["source_id"] for m in _rows(store, "sources", generation)] == [sid]
    assert {m["chunk_id"] for m in _rows(store, "sentences", generation)} == {m["id"] for m in chunks}
    # Every segment written before is still there, unchanged: the new generation lists them (holds them by reference).
    after_rows = _segment_rows(store, generation)
    assert after_rows == {**before_rows, generation: after_rows[generation]}
    assert [s.name for s in store.segments(generation)] == [*before_rows, generation]
    assert len(store.chunks()) == len(snapshot.chunks) + report.added

    # The answering snapshot was carried over and extended, not rebuilt: the report's keyword index is the same
    # object, and the result is what a full read of the new generation gives.
    extended = library.retriever
    assert extended is not snapshot and extended.generation == generation
    assert extended._lexical_sides["catalogue"] is snapshot._lexical_sides["catalogue"]
    passages, _ = library.retrieve("How many people were recorded in Kent for rough sleeping?")
    assert any(p.chunk.source_id == sid for p in passages), passages
    fresh = Assistant.load(library.settings, embeddings=library.embeddings, build_if_missing=False)
    _same_snapshot(extended, fresh.retriever, library.embeddings)


def test_removing_a_document_retires_its_rows_only(library: Assistant, tmp_path: Path) -> None:
    store = library.store
    gone = user_source_id("paper-02.md")
    first = store.active_generation()
    assert first is not None
    others = {c.id for c in store.chunks() if c.source_id != gone}

    report = library.remove_source("paper-02.md")

    removed = store.active_generation()
    assert removed is not None and report.changed and report.removed > 0 and report.added == report.updated == 0
    assert not _rows(store, "chunks", removed) and not _rows(store, "sources", removed)  # nothing new written
    assert [s.name for s in store.segments(removed)] == [s.name for s in store.segments(first)]
    assert any(gone in s.excluded for s in store.segments(removed))
    assert {c.id for c in store.chunks()} == others
    assert gone in {c.source_id for c in store.chunks(first)}  # the previous generation still reads whole
    assert gone not in {c.source_id for c in library.retriever.chunks}
    assert gone not in library.retriever.user_files
    answer = library.ask("What risks slow progress on energy efficiency in Devon?")
    assert all(c.source_id != gone for c in answer.citations)

    # Later generations keep it excluded (until its segment is merged, which copies only what is live).
    library.ingest([_paper(tmp_path / "more", 8)])
    assert gone not in {c.source_id for c in store.chunks()}
    fresh = Assistant.load(library.settings, embeddings=library.embeddings, build_if_missing=False)
    _same_snapshot(library.retriever, fresh.retriever, library.embeddings)


def test_a_crash_before_the_switch_leaves_the_previous_generation_whole(
    library: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An ingest that dies after writing its segment and marking the rows it replaces, before the pointer moves:
    the previous generation still reads whole (readers never see the marks), and the next ingest undoes them."""
    store = library.store
    before = store.active_generation()
    chunks = store.chunks()
    vectors = store.chunk_vectors()
    question = "How many homes were insulated in Cumbria?"
    answer = library.ask(question)
    replaced = _paper(tmp_path / "edit", 2, version=2)  # paper-02.md, with other figures
    assert (library.settings.user_documents_dir / replaced.name).exists()

    def power_cut(generation: str) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(store, "activate", power_cut)
    with pytest.raises(OSError, match="power cut"):
        library.ingest([replaced], replace=True)
    monkeypatch.undo()

    assert store.active_generation() == before
    # The crashed segment is on disk (paper-02 as replaced), yet the current generation neither lists nor excludes.
    crashed = [n for n in store._names() if n.endswith("-chunks") and n.split("-")[-2] not in
               {s.name for s in store.segments(before)} and "-g" in n]
    assert crashed
    assert not any(s.excluded for s in store.segments(before))
    assert store.chunks() == chunks
    assert all(np.allclose(store.chunk_vectors()[k], v) for k, v in vectors.items())
    reloaded = Assistant.load(library.settings, embeddings=library.embeddings, build_if_missing=False)
    assert reloaded.ask(question).answer == answer.answer

    # The next ingest (adding something else) cleans up: the old paper-02 stays, as it was.
    report = reloaded.ingest([_paper(tmp_path / "more", 9)])
    assert report.changed and report.updated == 0 and report.removed == 0
    assert not set(crashed) & store._names()
    assert not any(s.excluded for s in store.segments(store.active_generation()))
    assert {c.id for c in chunks} < {c.id for c in store.chunks()}
    paper = user_source_id(replaced.name)
    assert [c for c in store.chunks() if c.source_id == paper] == [c for c in chunks if c.source_id == paper]


def test_incremental_ingests_give_the_index_and_answers_of_a_full_rebuild(
    library: Assistant, tmp_path: Path, make_settings: Callable[..., Settings], embeddings: MiniLMEmbeddings,
) -> None:
    """Add, replace and remove documents one ingest at a time; the index, the snapshot and the answers are those
    of one ingest of the same files into an empty data folder."""
    library.ingest([_paper(tmp_path / "more", 10)])
    library.ingest([_paper(tmp_path / "edit", 3, version=5)], replace=True)
    library.remove_source("paper-04.md")
    library.ingest([_paper(tmp_path / "more", 11), _paper(tmp_path / "more", 12)])
    incremental = library.retriever

    clean = make_settings(corpus_dir=library.settings.corpus_dir, data_dir=tmp_path / "clean")
    rebuilt = Assistant(clean, embeddings=embeddings)
    rebuilt.ingest(sorted(library.settings.user_documents_dir.glob("*.md")))
    full = rebuilt.retriever

    assert incremental.chunks == full.chunks
    assert {c.id for c in library.store.chunks()} == {c.id for c in rebuilt.store.chunks()}
    assert np.allclose(incremental.matrix, full.matrix, atol=1e-5)
    assert sorted(zip(incremental.sentences.chunk_ids, incremental.sentences.starts.tolist(), strict=True)) == sorted(
        zip(full.sentences.chunk_ids, full.sentences.starts.tolist(), strict=True))
    assert incremental._user_vocabularies == full._user_vocabularies
    assert sorted(s.record.id for s in library.store.sources()) == sorted(s.record.id for s in rebuilt.store.sources())
    for question in QUESTIONS:
        mine, theirs = library.ask(question), rebuilt.ask(question)
        assert (mine.answer, mine.refused) == (theirs.answer, theirs.refused), question
        assert [(c.source_id, c.start, c.end) for c in mine.citations] == [
            (c.source_id, c.start, c.end) for c in theirs.citations], question
    # And the incremental snapshot is exactly what reading its own generation whole gives.
    fresh = Assistant.load(library.settings, embeddings=embeddings, build_if_missing=False)
    _same_snapshot(incremental, fresh.retriever, embeddings)


def test_a_full_ingest_reads_every_file_but_rewrites_nothing_unchanged(
    library: Assistant, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`python -m assistant ingest` (no files given) chunks every file again, to catch a chunker change, and still
    writes nothing when nothing differs."""
    generation = library.store.active_generation()
    chunked = Chunked(monkeypatch)
    report = library.ingest()
    assert not report.changed and library.store.active_generation() == generation
    assert len(chunked.files) == report.files >= 7


def test_an_index_written_before_segments_is_read_and_extended(
    library: Assistant, tmp_path: Path, embeddings: MiniLMEmbeddings,
) -> None:
    """An index of the layout before segments (a generation's own three collections, no list of segments) reads as
    one segment: it answers as it did, and the next ingest adds a segment beside it."""
    store = library.store
    generation = store.active_generation()
    assert generation is not None and len(store.segments(generation)) == 1
    question = "How many homes were insulated in Cumbria?"
    answer = library.ask(question)
    store._manifests().delete(ids=[generation])  # what an older version left: no list of segments

    older = Assistant.load(library.settings, embeddings=embeddings, build_if_missing=False)
    assert older.store.segments(generation) == [type(store.segments(generation)[0])(generation, (), len(store.chunks()))]
    assert older.ask(question).answer == answer.answer
    report = older.ingest([_paper(tmp_path / "more", 13)])
    assert report.changed and report.updated == report.removed == 0
    assert [s.name for s in older.store.segments(older.store.active_generation())] == [
        generation, older.store.active_generation()]


def _read_all(store: IndexStore) -> tuple[object, ...]:
    sentences = store.sentence_vectors()
    return (store.chunks(), {k: v.tolist() for k, v in store.chunk_vectors().items()}, sentences.chunk_ids,
            sentences.texts, sentences.starts.tolist(), sentences.vectors.tolist(), store.sources())


def test_segment_copies_read_as_chroma_does_and_go_with_their_segments(library: Assistant, tmp_path: Path) -> None:
    """A listed segment's collections are each kept as one file (issue 14: cold start over a large library); reading
    through them gives exactly what Chroma gives, a torn copy is read from Chroma again (and written anew), and the
    copies of segments dropped go with them."""
    store = library.store
    copies = store.settings.data_dir / store_module._COPY_DIR
    kept = sorted(copies.glob("*.npz"))
    assert kept  # written by the reads of the answering snapshot
    from_copies = _read_all(IndexStore(store.settings, library.embeddings, client=store.client))

    shutil.rmtree(copies)
    from_chroma = _read_all(IndexStore(store.settings, library.embeddings, client=store.client))
    assert from_copies == from_chroma
    again = sorted(copies.glob("*.npz"))  # kept again by that read: the current generation's three collections
    assert len(again) == 3 * len(store.segments(store.active_generation())) and set(again) <= set(kept)

    again[0].write_bytes(again[0].read_bytes()[:100])  # torn (by hand: the store only ever renames whole files in)
    assert _read_all(IndexStore(store.settings, library.embeddings, client=store.client)) == from_chroma
    assert np.load(again[0])["ids"].size  # written whole again

    library.ingest([_paper(tmp_path / "more", n) for n in range(7, 20)])  # merges segments, drops older ones
    live = {str(c.id) for c in store.client.list_collections()}
    assert {p.name.rpartition("@")[2].split(".")[0] for p in copies.iterdir()} <= live
    assert _read_all(IndexStore(store.settings, library.embeddings, client=store.client))[0] == store.chunks()


@pytest.mark.parametrize("documents", [
    [["mission", "budget"], ["budget", "budget", "year"], ["_"]],
    [["a"] * 5 + ["b"], ["b", "c"], ["c", "a", "d", "d"], ["e"], ["a", "e", "e", "e"]],
    [[f"w{(i * j) % 17}" for j in range(1 + i % 9)] for i in range(60)],
], ids=["three", "repeats", "sixty"])
def test_keyword_index_scores_as_bm25okapi_to_the_bit(documents: list[list[str]]) -> None:
    """The inverted index gives rank_bm25's scores exactly (the eval gates were calibrated on them)."""
    reference, index = BM25Okapi(documents), KeywordIndex(documents)
    words = sorted({w for d in documents for w in d}) + ["absent"]
    for query in [[w] for w in words] + [words, words[::2] * 2, ["absent"]]:
        assert index.get_scores(query).tobytes() == reference.get_scores(query).tobytes(), query
