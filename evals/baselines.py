"""Baselines measured in the same run: naive fixed-size chunks, retrieved dense-only or BM25-only.

Both baselines index the same source texts as the product, with the same embedding model, in a
real Chroma store (a temporary folder), and answer with the same extractive principle: the top
sentences of the retrieved chunks by cosine to the question, each cited, passed through the same
citation verifier. What differs is what the product adds: structure-aware chunks (tables, figures,
boxes, repeated headers), hybrid retrieval fused by rank, passage-aware sentence scoring, the
follow-up rewrite and the refusal rule. So the gap between them is what that structure buys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from rank_bm25 import BM25Okapi

from assistant.answering import REFUSAL
from assistant.citations import verify
from assistant.embeddings import MiniLMEmbeddings
from assistant.schemas import Answer, Chunk, Citation
from assistant.settings import Settings
from assistant.store import IndexStore
from assistant.text.sentences import split_sentences, strip_bullet
from assistant.text.words import terms
from assistant.types import IndexedSource, Passage, Unit
from evals.check_dataset import strip_front_matter

CHUNK_CHARS = 1000  # the common LangChain default size for "just split it" RAG
CHUNK_OVERLAP = 150
ANSWER_SENTENCES = 3
MIN_WORDS = 4  # shorter units are headings or labels, never an answer (the product drops them too)
BASELINE_VERSION = "naive-extractive-v1"

Retrieval = Literal["dense", "bm25"]


def body_start(text: str) -> int:
    """Where a source's body starts (after Markdown front matter)."""
    body = strip_front_matter(text)
    return len(text) - len(body) if text.endswith(body) else 0


def naive_chunks(sources: Sequence[IndexedSource]) -> list[Chunk]:
    """Fixed-size character chunks of each source body, with exact offsets and no structure."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    chunks: list[Chunk] = []
    for source in sources:
        offset = body_start(source.text)
        body = source.text[offset:]
        for seq, doc in enumerate(splitter.create_documents([body])):
            start = offset + int(doc.metadata["start_index"])
            text = doc.page_content
            assert source.text[start : start + len(text)] == text, "splitter offsets must point at the text"
            digest = hashlib.sha256(f"{source.record.id}:{start}:{text}".encode()).hexdigest()[:24]
            chunks.append(
                Chunk(
                    id=digest, source_id=source.record.id, title=source.record.title, section="", kind="text",
                    locator=f"characters {start}–{start + len(text)}", start=start, end=start + len(text),
                    text=text, seq=seq,
                )
            )
    return chunks


@dataclass(frozen=True)
class NaiveIndex:
    """Naive chunks in a real Chroma store, with their sentence units and vectors."""

    store: IndexStore
    chunks: list[Chunk]
    matrix: np.ndarray  # chunk vectors, row per chunk
    unit_chunk: list[int]  # chunk row of each sentence unit
    units: list[Unit]
    unit_vectors: np.ndarray

    @classmethod
    def build(cls, sources: Sequence[IndexedSource], embeddings: MiniLMEmbeddings, data_dir: Path) -> NaiveIndex:
        """Chunk, embed and store the sources (in ``data_dir``, a fresh folder)."""
        settings = Settings(data_dir=data_dir, models_dir=data_dir / "unused-models", collection="naive")
        store = IndexStore(settings, embeddings)
        chunks = naive_chunks(sources)
        matrix = embeddings.embed([c.text for c in chunks])
        generation = store.new_generation()
        store.write_chunks(generation, chunks, matrix)
        store.activate(generation)
        unit_chunk: list[int] = []
        units: list[Unit] = []
        for row, chunk in enumerate(chunks):
            for s, e in split_sentences(chunk.text, chunk.start):
                text = chunk.text[s - chunk.start : e - chunk.start]
                if len(strip_bullet(text).split()) >= MIN_WORDS:
                    unit_chunk.append(row)
                    units.append(Unit(s, e, text))
        # Overlapping chunks repeat sentences: embed each distinct text once.
        distinct = sorted({u.text for u in units})
        vectors = dict(zip(distinct, embeddings.embed(distinct), strict=True))
        unit_vectors = np.vstack([vectors[u.text] for u in units]) if units else np.zeros((0, 384), np.float32)
        return cls(store, chunks, matrix, unit_chunk, units, unit_vectors)


class NaiveSystem:
    """A baseline RAG system over a NaiveIndex: dense-only or BM25-only retrieval, extractive answers."""

    def __init__(
        self, index: NaiveIndex, retrieval: Retrieval, embeddings: MiniLMEmbeddings, *, k: int,
        refusal_threshold: float = 0.0,
    ) -> None:
        self.index = index
        self.retrieval = retrieval
        self.embeddings = embeddings
        self.k = k
        self.refusal_threshold = refusal_threshold
        self.name = f"{retrieval} (naive chunks)"
        self._row = {c.id: i for i, c in enumerate(index.chunks)}
        self._bm25 = BM25Okapi([terms(c.text) or ["_"] for c in index.chunks])
        self._vectorstore = index.store.vectorstore()

    @staticmethod
    def query(question: str, history: Sequence[tuple[str, str]] = ()) -> str:
        """What a naive system searches: a follow-up is prefixed with the previous question."""
        return f"{history[-1][0]} {question}" if history else question

    def retrieve(self, query: str, k: int | None = None) -> tuple[list[Passage], np.ndarray]:
        """Top ``k`` naive chunks for the query, numbered from 1."""
        k = k or self.k
        vector = self.embeddings.embed([query])[0]
        if self.retrieval == "dense":
            hits = self._vectorstore.similarity_search_by_vector_with_relevance_scores(vector.tolist(), k=k)
            rows = [self._row[str(doc.metadata["id"])] for doc, _ in hits]
        else:
            scores = self._bm25.get_scores(terms(query) or ["_"])
            rows = [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]
        passages = []
        for n, row in enumerate(rows, 1):
            cosine = float(self.index.matrix[row] @ vector)
            passages.append(Passage(n, self.index.chunks[row], cosine, cosine))
        return passages, vector

    def _ranked_units(self, passages: Sequence[Passage], vector: np.ndarray) -> list[tuple[float, Passage, Unit]]:
        by_row = {self._row[p.chunk.id]: p for p in passages}
        seen: set[tuple[str, int]] = set()
        ranked = []
        for i, row in enumerate(self.index.unit_chunk):
            passage = by_row.get(row)
            unit = self.index.units[i]
            if passage is None or (passage.chunk.source_id, unit.start) in seen:
                continue
            seen.add((passage.chunk.source_id, unit.start))
            ranked.append((float(self.index.unit_vectors[i] @ vector), passage, unit))
        return sorted(ranked, key=lambda t: (-t[0], t[1].n, t[2].start))

    def best_score(self, question: str, history: Sequence[tuple[str, str]] = ()) -> float:
        """The best sentence cosine: what the baseline's refusal rule compares with its threshold."""
        passages, vector = self.retrieve(self.query(question, history))
        ranked = self._ranked_units(passages, vector)
        return ranked[0][0] if ranked else 0.0

    def ask(self, question: str, history: Sequence[tuple[str, str]] = ()) -> Answer:
        """Top sentences of the retrieved chunks, each cited and verified; refuse below the threshold."""
        query = self.query(question, history)
        passages, vector = self.retrieve(query)
        ranked = self._ranked_units(passages, vector)
        if not ranked or ranked[0][0] < self.refusal_threshold:
            return Answer(question=question, answer=REFUSAL, refused=True, prompt_version=BASELINE_VERSION,
                          standalone_question=query)
        chosen = ranked[:ANSWER_SENTENCES]
        numbered = [Passage(i, p.chunk, p.score, p.dense) for i, (_, p, _) in enumerate(chosen, 1)]
        units = {i: u for i, (_, _, u) in enumerate(chosen, 1)}
        draft = [f"{strip_bullet(u.text).rstrip(' .')} [{i}]." for i, (_, _, u) in enumerate(chosen, 1)]
        checked = verify(draft, numbered, encode=self.embeddings.embed, make_citation=self._citation(units))
        return Answer(
            question=question, answer=checked.text or REFUSAL, refused=not checked.citations,
            citations=checked.citations, removed=checked.removed, prompt_version=BASELINE_VERSION,
            standalone_question=query,
        )

    @staticmethod
    def _citation(units: dict[int, Unit]):  # type: ignore[no-untyped-def]
        def make(n: int, passage: Passage, unit: Unit, score: float) -> Citation:
            chosen = units.get(passage.n, unit)
            chunk = passage.chunk
            return Citation(
                n=n, source_id=chunk.source_id, title=chunk.title, locator=chunk.locator, quote=chosen.text,
                passage=chunk.text, start=chosen.start, end=chosen.end, score=round(float(score), 4),
                chunk_id=chunk.id,
            )

        return make
