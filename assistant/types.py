"""Core value types shared by every layer above: passages, quotable units, sentence vectors, stored sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from assistant.schemas import Chunk, SourceRecord


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, numbered [n] for the answer."""

    n: int
    chunk: Chunk
    score: float  # fused RRF score
    dense: float  # cosine similarity of the question and the chunk


@dataclass(frozen=True)
class Unit:
    """A quotable unit of a passage: a sentence, or a whole table row or figure; offsets into the source."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SentenceVectors:
    """Sentence spans of every chunk with their embeddings, loaded once per index snapshot."""

    chunk_ids: list[str]
    starts: np.ndarray
    ends: np.ndarray
    texts: list[str]
    vectors: np.ndarray  # (n, 384), L2-normalised

    @cached_property
    def rows_of(self) -> dict[str, list[int]]:
        """Each chunk's rows, in order (built once per snapshot)."""
        out: dict[str, list[int]] = {}
        for row, chunk_id in enumerate(self.chunk_ids):
            out.setdefault(chunk_id, []).append(row)
        return out

    def of_chunks(self, chunk_ids: Iterable[str]) -> SentenceVectors:
        """The rows of ``chunk_ids`` only, in this order: what a question's passages need, found without a pass over
        every sentence of the index (52,000 of them at 100x, issue 14)."""
        rows = sorted({row for chunk_id in chunk_ids for row in self.rows_of.get(chunk_id, ())})
        return SentenceVectors(
            chunk_ids=[self.chunk_ids[row] for row in rows], starts=self.starts[rows], ends=self.ends[rows],
            texts=[self.texts[row] for row in rows], vectors=self.vectors[rows],
        )


@dataclass(frozen=True)
class IndexedSource:
    """A source as stored in an index generation."""

    record: SourceRecord
    text: str
    digest: str
    chunks: int
    # What the file was when indexed (its bytes and what chunking depends on): an ingest adding or removing other
    # documents passes over a file whose key is unchanged without reading it again ('' : always read).
    key: str = field(default="", compare=False)
    # The generation whose segment holds this version of the source (0: not stored yet).
    version: int = field(default=0, compare=False)
