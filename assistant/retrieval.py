"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by reciprocal rank, near-duplicates removed.

Why our own fusion rather than langchain_classic's EnsembleRetriever: we need each passage's dense
cosine (the refusal threshold is calibrated on it) and filters applied to both lists before fusing;
the ensemble returns bare Documents. The fusion itself is the standard RRF (k=60, in settings).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from itertools import chain

import numpy as np
from rank_bm25 import BM25Okapi

from assistant.schemas import Chunk
from assistant.settings import RetrievalSettings
from assistant.store import IndexStore
from assistant.text.acronyms import expand, find_acronyms
from assistant.text.questions import asks_about_chart, named_labels
from assistant.text.words import proper_names, related, terms, vocabulary_words
from assistant.types import Passage, SentenceVectors
from ingest.chunking import chunk_label
from ingest.library import owner_folder_of

_NAME_OR_NUMBER = re.compile(r"\b(?:[A-Z][A-Za-z0-9]*(?:['’]s)?|\d[\d,.]*\d|\d)\b")
_POSSESSIVE = re.compile(r"['’]s$")


log = logging.getLogger(__name__)


class KeywordIndex:
    """BM25 over a fixed list of keyword lists: rank_bm25's Okapi (its idf, lengths and parameters), scored through
    an inverted index, so a question costs what its terms' postings cost rather than a pass over every chunk.

    Why not ``BM25Okapi.get_scores``: it builds a frequency array over the whole corpus for each query term in
    Python (34 ms for an 8-term question over 10,000 chunks, against 0.1 ms here; issue 14). The scores here are the same to the bit:
    the same elementwise float64 operations, in the same order, on the chunks holding the term; every other chunk
    would only have 0 added. The postings are kept as a term-sorted (CSC-like) pair of arrays, numpy only.
    """

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.bm25 = bm25 = BM25Okapi(documents)
        self.size = bm25.corpus_size
        doc_len = np.array(bm25.doc_len)
        # The part of BM25's denominator that depends on the chunk only, as get_scores computes it.
        self._norm = bm25.k1 * (1 - bm25.b + bm25.b * doc_len / bm25.avgdl)
        # Each (chunk, term) pair once: its chunk's row, the term's column, the count; then sorted by column. (map and
        # chain iterate in C: a Python loop over the pairs took as long as building BM25Okapi itself.)
        self._column = {word: at for at, word in enumerate(bm25.idf)}  # every term of the corpus
        frequencies = bm25.doc_freqs
        column = np.fromiter(map(self._column.__getitem__, chain.from_iterable(frequencies)), np.int64)
        counts = np.fromiter(chain.from_iterable(map(dict.values, frequencies)), np.int64, len(column))
        rows = np.repeat(np.arange(self.size), np.fromiter(map(len, frequencies), np.int64, self.size))
        order = np.argsort(column)  # any order of a term's chunks will do: each is one chunk's own sum
        self._rows, self._counts = rows[order], counts[order]
        self._bounds = np.searchsorted(column[order], np.arange(len(self._column) + 1))

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25Okapi.get_scores(query): one score per document, query terms counted as often as they occur."""
        bm25 = self.bm25
        score = np.zeros(self.size)
        for q in query:
            column = self._column.get(q)
            idf = bm25.idf.get(q) or 0
            if column is None or not idf:
                continue  # in no chunk, or weightless: get_scores adds 0 everywhere
            at = slice(self._bounds[column], self._bounds[column + 1])
            rows, q_freq = self._rows[at], self._counts[at]
            score[rows] += idf * (q_freq * (bm25.k1 + 1) / (q_freq + self._norm[rows]))
        return score


class HybridRetriever:
    """Dense + BM25 retrieval over one index generation; immutable once built, so thread-safe.

    A snapshot moves to a newer generation by reading only the user documents that changed (``advanced``): the
    rest (vectors, keyword lists, vocabularies) is carried over, so adding one document to a large library costs
    what that document costs, plus re-counting the keyword index of the user documents' side.
    """

    _terms: dict[str, list[str]]
    acronyms: dict[str, str]
    catalogue_vocabulary: frozenset[str]
    catalogue_names: frozenset[str]  # words the report and its evidence only write capitalised: 'truss', 'cameron'
    _user_vocabularies: dict[str, frozenset[str]]

    def __init__(
        self, store: IndexStore, extra_vocabulary: Sequence[str] = (), generation: str | None = None,
        settings: RetrievalSettings | None = None, user_sources: Mapping[str, tuple[str, str]] | None = None,
        *, catalogue_texts: Sequence[str] = (), versions: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        self.settings = settings or RetrievalSettings()
        # Everything is read from one generation, so a switch during the build cannot mix two.
        self.generation = generation or store.active_generation()
        chunks = store.chunks(self.generation)
        vectors = store.chunk_vectors(self.generation)
        matrix = np.vstack([vectors[c.id] for c in chunks]) if chunks else np.zeros((0, 384))
        if versions is None:
            versions = {s.record.id: (s.version, s.record.kind) for s in store.sources(self.generation, texts=False)}
        self._assemble(store, chunks, matrix, store.sentence_vectors(self.generation), tuple(extra_vocabulary),
                       dict(user_sources or {}), tuple(catalogue_texts), dict(versions), None)

    def advanced(self, store: IndexStore, generation: str, catalogue_texts: Sequence[str]) -> HybridRetriever | None:
        """This snapshot moved on to ``generation`` (a newer one), reading only the sources written since this one's:
        the same snapshot a full build of ``generation`` gives. None when only a full build will do: the report or
        its evidence changed (their keyword index, acronyms and vocabulary are built over all of them), or either
        generation is of the layout before segments."""
        if generation == self.generation:
            return self
        if self.generation is None or tuple(catalogue_texts) != self._catalogue_texts:
            return None
        versions: dict[str, tuple[int, str]] = {
            s.record.id: (s.version, s.record.kind) for s in store.sources(generation, texts=False)}
        gone = {sid for sid, version in self.versions.items() if versions.get(sid) != version}
        new = {sid for sid, version in versions.items() if self.versions.get(sid) != version}
        kinds = [self.versions[sid][1] for sid in gone] + [versions[sid][1] for sid in new]
        if any(kind != "user document" for kind in kinds):
            return None
        fresh = store.sources(generation, since=self.generation)
        fresh_chunks = store.chunks(generation, since=self.generation)
        fresh_vectors = store.chunk_vectors(generation, since=self.generation)
        fresh_sentences = store.sentence_vectors(generation, since=self.generation)
        if {s.record.id for s in fresh} != new or {c.source_id for c in fresh_chunks} - new:
            return None  # not the same generation's parts (segments deleted under us): read it whole
        rows = {c.id: row for row, c in enumerate(self.chunks) if c.source_id not in gone}
        chunks = sorted([self.chunks[row] for row in rows.values()] + fresh_chunks, key=lambda c: (c.source_id, c.seq))
        matrix = np.zeros((len(chunks), self.matrix.shape[1] if self.matrix.size else 384), np.float32)
        for row, chunk in enumerate(chunks):
            matrix[row] = self.matrix[rows[chunk.id]] if chunk.id in rows else fresh_vectors[chunk.id]
        # Sentences in the store's order, as a full read gives them: the carried rows, then the new segments'.
        old = self.sentences
        dropped = {c.id for c in self.chunks if c.source_id in gone}
        keep = np.fromiter((cid not in dropped for cid in old.chunk_ids), bool, len(old.chunk_ids))
        at = np.flatnonzero(keep)
        sentences = SentenceVectors(
            chunk_ids=[old.chunk_ids[i] for i in at] + fresh_sentences.chunk_ids,
            starts=np.concatenate([old.starts[at], fresh_sentences.starts]),
            ends=np.concatenate([old.ends[at], fresh_sentences.ends]),
            texts=[old.texts[i] for i in at] + fresh_sentences.texts,
            vectors=np.vstack([old.vectors[at], fresh_sentences.vectors]),
        )
        users = {sid: value for sid, value in self._user_sources.items() if sid not in gone}
        users.update({s.record.id: (s.record.file or "", s.text) for s in fresh})
        snapshot = HybridRetriever.__new__(HybridRetriever)
        snapshot.settings, snapshot.generation = self.settings, generation
        snapshot._assemble(store, chunks, matrix, sentences, self._extra_vocabulary, users, self._catalogue_texts,
                           versions, self)
        return snapshot

    def _assemble(
        self, store: IndexStore, chunks: list[Chunk], matrix: np.ndarray, sentences: SentenceVectors,
        extra_vocabulary: tuple[str, ...], user_sources: dict[str, tuple[str, str]], catalogue_texts: tuple[str, ...],
        versions: dict[str, tuple[int, str]], previous: HybridRetriever | None,
    ) -> None:
        """Set the snapshot up from its parts; what ``previous`` built from the same parts is taken as it is."""
        self.chunks = chunks
        self.by_id = {c.id: c for c in chunks}
        self.rows = {c.id: row for row, c in enumerate(chunks)}  # a chunk's row in ``matrix``
        self.matrix = matrix
        self.sentences = sentences
        sentences.rows_of  # noqa: B018 - indexed here, so the first question does not wait for it
        self.versions = versions
        self._extra_vocabulary, self._catalogue_texts, self._user_sources = extra_vocabulary, catalogue_texts, user_sources
        sides = {"catalogue": [c for c in chunks if c.origin != "user document"],
                 "user document": [c for c in chunks if c.origin == "user document"]}
        same_catalogue = previous is not None and previous._extra_vocabulary == extra_vocabulary and [
            c.id for c in previous.chunks if c.origin != "user document"] == [c.id for c in sides["catalogue"]]
        # Each chunk's keyword list, kept with the snapshot: a newer one counts only its new chunks' words.
        known = previous._terms if previous is not None else {}
        self._terms = {c.id: known.get(c.id) or terms(c.display_text) or ["_"] for c in chunks}
        # One keyword index per side: the report's and its evidence's chunks are scored against each other only, so
        # their ranking (BM25's document frequencies) is the same whatever library of uploads sits beside them.
        self._lexical_sides = {
            side: (side_chunks, KeywordIndex([self._terms[c.id] for c in side_chunks]))
            for side, side_chunks in sides.items()
            if side_chunks and not (side == "catalogue" and same_catalogue and previous is not None)
        }
        if same_catalogue and previous is not None and "catalogue" in previous._lexical_sides:
            self._lexical_sides = {"catalogue": previous._lexical_sides["catalogue"], **self._lexical_sides}
        # Each side's rows of ``matrix`` and their vectors together, for dense retrieval from the snapshot (``dense``).
        self._sides: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for side, side_chunks in sides.items():
            at = np.asarray([self.rows[c.id] for c in side_chunks], dtype=np.int64)
            self._sides[side] = (at, matrix[at])
        self.vectorstore = store.dense(self.generation) if chunks else None
        self.has_user_documents = bool(sides["user document"])
        # The catalogue's words (report, evidence notes, their citations: ``extra_vocabulary``) and, apart, each
        # user document's (``user_sources``: id -> (path in the library, text)), so a request sees only the words
        # of what it may see: a question naming what only another user's private document names is refused as
        # the sources never mentioning it, exactly as if that document did not exist.
        if same_catalogue and previous is not None:
            self.acronyms, self.catalogue_vocabulary = previous.acronyms, previous.catalogue_vocabulary
            self.catalogue_names = previous.catalogue_names
        else:
            self.acronyms = find_acronyms(c.text for c in sides["catalogue"])
            catalogue = [c.display_text for c in sides["catalogue"]] + list(extra_vocabulary)
            self.catalogue_vocabulary = frozenset(w for t in catalogue for w in vocabulary_words(t))
            self.catalogue_names = proper_names(catalogue)
        texts: dict[str, list[str]] = {sid: [text] for sid, (_, text) in user_sources.items()}
        for c in sides["user document"]:
            texts.setdefault(c.source_id, []).append(c.display_text)
        self.user_files = {sid: path for sid, (path, _) in user_sources.items()}
        carried = previous._user_vocabularies if previous is not None else {}
        self._user_vocabularies = {
            sid: carried[sid] if sid in carried and previous is not None and previous.versions.get(sid) ==
            versions.get(sid) and previous.user_files.get(sid) == self.user_files.get(sid)
            else frozenset(w for t in parts for w in vocabulary_words(t)) for sid, parts in texts.items()
        }
        # Per snapshot, by hidden set (one per user, in practice): dropped with the snapshot, unlike a class-level
        # cache, which would keep old snapshots (and their vectors) alive.
        self._vocabularies: dict[frozenset[str], frozenset[str]] = {}
        self._word_sets: dict[str, frozenset[str]] = {}
        self.vocabulary = self.vocabulary_for(frozenset())

    def vocabulary_for(self, hidden: frozenset[str]) -> frozenset[str]:
        """Every word the sources a request may see use: the catalogue's and its visible user documents'."""
        found = self._vocabularies.get(hidden)
        if found is None:
            visible = [v for sid, v in self._user_vocabularies.items() if sid not in hidden]
            found = self._vocabularies[hidden] = self.catalogue_vocabulary.union(*visible)
        return found

    def expand(self, question: str) -> str:
        """The question with acronyms the report and its evidence define added beside their long forms, and back, and
        the words the sources use for its words ('workforce': 'staff'; text.words.related)."""
        expanded = expand(question, self.acronyms)
        more = related(expanded)
        return f"{expanded} {' '.join(more)}" if more else expanded

    def unknown_names(self, question: str, hidden: frozenset[str] = frozenset()) -> list[str]:
        """Names and numbers in the question that no passage the request may see mentions ("Finland", "2024").

        A question about something the sources never name cannot be answered from them, however
        close its other words come; this makes refusals of such questions certain and explainable.
        """
        return self._names_outside(question, self.vocabulary_for(hidden))

    def unknown_to_catalogue(self, question: str) -> list[str]:
        """Names and numbers in the question that neither the report nor its evidence mentions."""
        return self._names_outside(question, self.catalogue_vocabulary)

    def names_only_in_user_documents(self, question: str, hidden: frozenset[str] = frozenset()) -> list[str]:
        """Names in the question that a user document the request may see mentions and the report and its
        evidence never do ("Harbourside"): such a question is about the user's document, which may then lead."""
        known = self.vocabulary_for(hidden)
        return [w for w in self._names_outside(question, self.catalogue_vocabulary)
                if w not in self._names_outside(question, known)]

    def _names_outside(self, question: str, vocabulary: frozenset[str]) -> list[str]:
        def known(word: str) -> bool:
            key = _POSSESSIVE.sub("", word).lower()
            return key in vocabulary or key.rstrip("s") in vocabulary

        found = []
        matches = list(_NAME_OR_NUMBER.finditer(question))
        for i, m in enumerate(matches):
            word = m.group(0)
            before = question[: m.start()].rstrip()
            if not before or before.endswith((".", "!", "?", ":", '"', "“")):
                continue  # the first word of a sentence is capitalised anyway
            if word.isalpha() and word.isupper():
                continue  # acronyms are too often spelt differently from the sources ("IIPP")
            if _first_name(question, matches, i) and _POSSESSIVE.sub("", matches[i + 1].group(0)).lower() in self.catalogue_names:
                continue  # a first name before a surname the report uses ('Liz Truss' where it says 'Truss')
            if not known(word):
                found.append(word)
        return found

    def _allowed(self, chunk: Chunk, source_ids: Sequence[str] | None, kinds: Sequence[str] | None) -> bool:
        return (not source_ids or chunk.source_id in source_ids) and (not kinds or chunk.kind in kinds)

    def dense(
        self, query_vector: np.ndarray, k: int, where: dict | None = None,
        allowed: Callable[[Chunk], bool] | None = None, origin: str | None = None,
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine (of ``origin``, or both sides, that ``allowed`` admits): through Chroma, or, with
        user documents indexed, from this snapshot's own copy of the vectors.

        Why not Chroma with a library: each side is then a filtered query of every segment (``where`` selects the
        side and the hidden sources), which costs Chroma a pass over the segment's metadata: 30 ms a side over 3,000
        chunks, most of an answer's time at 100x (issue 14); a product with the snapshot's matrix ranks 10,000 chunks
        exactly in about a millisecond. The report's side ranks as Chroma ranked it (its exact search over so few
        rows: the same order in our checks, cosines equal to 1e-7); the library's side as an exact search, where
        Chroma's approximate one could miss a neighbour. Without user documents (the corpus alone) Chroma answers as
        it always has; its copy answers meanwhile when Chroma does not (a team's server restarting).
        """
        if self.vectorstore is None:
            return []
        if self.has_user_documents:
            return self._nearest(query_vector, k, allowed, origin)
        try:
            hits = self.vectorstore.search(query_vector.tolist(), k=min(k, len(self.chunks)), where=where)
        except Exception as exc:  # noqa: BLE001 - the server's client raises transport and server errors alike
            log.warning("Chroma did not answer a query (%s); ranking from the snapshot's vectors", type(exc).__name__)
            return self._nearest(query_vector, k, allowed, origin)
        out = []
        for chunk_id, score in hits:
            chunk = self.by_id.get(chunk_id)
            if chunk is not None:
                out.append((chunk, score))
        return out

    def _nearest(
        self, query_vector: np.ndarray, k: int, allowed: Callable[[Chunk], bool] | None, origin: str | None,
    ) -> list[tuple[Chunk, float]]:
        """The ``k`` chunks of ``origin`` (or both sides) ``allowed`` admits nearest the query, from the matrix."""
        rows, matrix = self._sides[origin] if origin else (np.arange(len(self.chunks)), self.matrix)
        # einsum's own loop rather than BLAS (``matrix @ query_vector``): OpenBLAS splits a product this size over
        # threads, which on 2 shared cores waited for each other (8 ms a product over 10,000 chunks against 1 ms).
        scores = np.einsum("ij,j->i", matrix, query_vector.astype(matrix.dtype, copy=False))
        out: list[tuple[Chunk, float]] = []
        for at in np.argsort(-scores, kind="stable"):
            chunk = self.chunks[rows[at]]
            if allowed is None or allowed(chunk):
                out.append((chunk, float(scores[at])))
                if len(out) >= k:
                    break
        return out

    def lexical(
        self, question: str, k: int, allowed: Callable[[Chunk], bool], origin: str | None = None,
    ) -> list[Chunk]:
        """The chunks of ``origin`` (or both sides) that BM25 ranks for the question and ``allowed`` admits."""
        query = terms(question)
        if not query:
            return []
        out: list[Chunk] = []
        for side in ([origin] if origin else ["catalogue", "user document"]):
            if side not in self._lexical_sides:
                continue
            chunks, index = self._lexical_sides[side]
            scores = index.get_scores(query)
            for i in np.argsort(-scores):
                if scores[i] <= 0 or len(out) >= k:
                    break
                if allowed(chunks[i]):
                    out.append(chunks[i])
        return out

    def retrieve(
        self,
        question: str,
        query_vector: np.ndarray,
        *,
        k: int,
        source_ids: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> list[Passage]:
        """Top ``k`` passages for the question, fused from dense and lexical rankings, never from a source in
        ``hidden`` (another user's private documents), on either side.

        With user documents indexed, the catalogue (report and evidence notes) and the user's documents are
        ranked apart, ``k`` each, catalogue first: a set of uploads written to rank first (the question's words
        over and over) can never push the report out of the passages a question gets (issue 13).
        """
        if not self.has_user_documents:
            return self._ranked(question, query_vector, k, source_ids, kinds, None, hidden)
        found = self._ranked(question, query_vector, k, source_ids, kinds, "catalogue", hidden)
        if len(hidden) < len(self._user_vocabularies):  # some user document is visible to this request
            found += self._ranked(question, query_vector, k, source_ids, kinds, "user document", hidden)
        return [Passage(n, p.chunk, p.score, p.dense) for n, p in enumerate(found, start=1)]

    def _near_duplicate(self, a: Chunk, b: Chunk) -> bool:
        """Same words, nearly: the summary repeats the body's recommendations, for one."""
        ta, tb = self._word_set(a), self._word_set(b)
        if not ta or not tb:
            return False
        return len(ta & tb) / len(ta | tb) >= self.settings.near_duplicate_jaccard

    def _word_set(self, chunk: Chunk) -> frozenset[str]:
        # Kept per snapshot: the same pooled chunks are compared question after question.
        found = self._word_sets.get(chunk.id)
        if found is None:
            found = self._word_sets[chunk.id] = frozenset(terms(chunk.text))
        return found

    @cached_property
    def by_source(self) -> dict[str, list[Chunk]]:
        """Each source's chunks, in order; built once per snapshot, on the first question that needs them."""
        out: dict[str, list[Chunk]] = {}
        for chunk in self.chunks:
            out.setdefault(chunk.source_id, []).append(chunk)
        return out

    @cached_property
    def user_folders(self) -> dict[str, list[tuple[str, str]]]:
        """The user documents (id, library path) by the owner folder they are in, for who-may-see-what per request."""
        out: dict[str, list[tuple[str, str]]] = {}
        for sid, path in self.user_files.items():
            out.setdefault(owner_folder_of(path), []).append((sid, path))
        return out

    @cached_property
    def _labelled(self) -> dict[str, list[int]]:
        """Rows of ``chunks`` by the labelled part they belong to ('table 2.1'); built once per snapshot, on the first
        question naming one."""
        out: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            label = chunk_label(chunk)
            if label:
                out.setdefault(label, []).append(row)
        return out

    def _with_named_parts(
        self, question: str, query_vector: np.ndarray, chosen: list[Chunk], fused: Mapping[str, float],
        allowed: Callable[[Chunk], bool],
    ) -> list[Chunk]:
        """A question naming a labelled part ('What does figure 1.5 show?') gets that part: when none of its chunks
        ranked, its best chunk (fused rank, then cosine) leads. A caption's words rarely match how it is asked about."""
        for label in sorted(named_labels(question)):
            if any(chunk_label(c) == label for c in chosen):
                continue
            members = [row for row in self._labelled.get(label, []) if allowed(self.chunks[row])]
            if members:
                best = max(members, key=lambda row: (fused.get(self.chunks[row].id, 0.0),
                                                      float(self.matrix[row] @ query_vector)))
                chosen = [self.chunks[best], *chosen]
        return chosen

    def _ranked(
        self, question: str, query_vector: np.ndarray, k: int, source_ids: Sequence[str] | None,
        kinds: Sequence[str] | None, origin: str | None, hidden: frozenset[str] = frozenset(),
    ) -> list[Passage]:
        where = _where(source_ids, kinds, origin, hidden if origin != "catalogue" else frozenset())
        pool = max(self.settings.pool_factor * k, self.settings.pool_min)

        def allowed(chunk: Chunk) -> bool:  # the same filter as ``where``, for what is ranked here, not in Chroma
            return self._allowed(chunk, source_ids, kinds) and origin in (None, chunk.origin) and (
                chunk.source_id not in hidden)

        dense = self.dense(query_vector, pool, where, allowed, origin)
        lexical = self.lexical(self.expand(question), pool, allowed, origin)
        fused: dict[str, float] = {}
        for rank, (chunk, _) in enumerate(dense):
            fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        for rank, chunk in enumerate(lexical):
            fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        cosine = {c.id: s for c, s in dense}
        ranked = sorted(fused, key=lambda cid: (-fused[cid], cid))
        chosen: list[Chunk] = []
        # A chart's title and source line answer a question about the chart; for any other, a few at most.
        figures = k if named_labels(question) or asks_about_chart(question) else self.settings.max_figures
        for cid in ranked:
            chunk = self.by_id[cid]
            if any(self._near_duplicate(chunk, other) for other in chosen):
                continue
            if chunk.kind == "figure" and sum(c.kind == "figure" for c in chosen) >= figures:
                continue
            chosen.append(chunk)
            if len(chosen) >= k:
                break
        chosen = self._with_named_parts(question, query_vector, chosen, fused, allowed)[:k]
        out = []
        for n, chunk in enumerate(chosen, start=1):
            dense_score = cosine.get(chunk.id)
            if dense_score is None:
                dense_score = float(self.matrix[self.rows[chunk.id]] @ query_vector)
            out.append(Passage(n, chunk, fused[chunk.id], dense_score))
        return out


def _first_name(question: str, matches: Sequence[re.Match[str]], i: int) -> bool:
    """Is match ``i`` the first of exactly two capitalised words in a row ('Liz Truss', not 'Manchester Grammar
    School', whose words are not a first name and a surname)?"""
    def joined(a: int, b: int) -> bool:
        return 0 <= a and b < len(matches) and question[matches[a].end():matches[b].start()] == " " and all(
            matches[j].group(0).istitle() and matches[j].group(0).isalpha() for j in (a, b))

    return joined(i, i + 1) and not joined(i - 1, i) and not joined(i + 1, i + 2)


def _where(
    source_ids: Sequence[str] | None, kinds: Sequence[str] | None, origin: str | None = None,
    hidden: frozenset[str] = frozenset(),
) -> dict | None:
    clauses: list[dict] = []
    if origin:
        clauses.append({"origin": origin})
    if hidden:
        clauses.append({"source_id": {"$nin": sorted(hidden)}})
    if source_ids:
        clauses.append({"source_id": {"$in": list(source_ids)}})
    if kinds:
        clauses.append({"kind": {"$in": list(kinds)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
