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

import numpy as np
from rank_bm25 import BM25Okapi

from assistant.schemas import Chunk
from assistant.settings import RetrievalSettings
from assistant.store import IndexStore
from assistant.text.acronyms import expand, find_acronyms
from assistant.text.questions import named_labels
from assistant.text.words import terms, vocabulary_words
from assistant.types import Passage, SentenceVectors
from ingest.chunking import chunk_label

_NAME_OR_NUMBER = re.compile(r"\b(?:[A-Z][A-Za-z0-9]*(?:['’]s)?|\d[\d,.]*\d|\d)\b")
_POSSESSIVE = re.compile(r"['’]s$")


log = logging.getLogger(__name__)


class HybridRetriever:
    """Dense + BM25 retrieval over one index generation; immutable once built, so thread-safe.

    A snapshot moves to a newer generation by reading only the user documents that changed (``advanced``): the
    rest (vectors, keyword lists, vocabularies) is carried over, so adding one document to a large library costs
    what that document costs, plus re-counting the keyword index of the user documents' side.
    """

    _terms: dict[str, list[str]]
    acronyms: dict[str, str]
    catalogue_vocabulary: frozenset[str]
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
        self.matrix = matrix
        self.sentences = sentences
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
            side: (side_chunks, BM25Okapi([self._terms[c.id] for c in side_chunks]))
            for side, side_chunks in sides.items()
            if side_chunks and not (side == "catalogue" and same_catalogue and previous is not None)
        }
        if same_catalogue and previous is not None and "catalogue" in previous._lexical_sides:
            self._lexical_sides = {"catalogue": previous._lexical_sides["catalogue"], **self._lexical_sides}
        self.vectorstore = store.dense(self.generation) if chunks else None
        self.has_user_documents = bool(sides["user document"])
        # The catalogue's words (report, evidence notes, their citations: ``extra_vocabulary``) and, apart, each
        # user document's (``user_sources``: id -> (path in the library, text)), so a request sees only the words
        # of what it may see: a question naming what only another user's private document names is refused as
        # the sources never mentioning it, exactly as if that document did not exist.
        if same_catalogue and previous is not None:
            self.acronyms, self.catalogue_vocabulary = previous.acronyms, previous.catalogue_vocabulary
        else:
            self.acronyms = find_acronyms(c.text for c in sides["catalogue"])
            catalogue = [c.display_text for c in sides["catalogue"]] + list(extra_vocabulary)
            self.catalogue_vocabulary = frozenset(w for t in catalogue for w in vocabulary_words(t))
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
        self.vocabulary = self.vocabulary_for(frozenset())

    def vocabulary_for(self, hidden: frozenset[str]) -> frozenset[str]:
        """Every word the sources a request may see use: the catalogue's and its visible user documents'."""
        found = self._vocabularies.get(hidden)
        if found is None:
            visible = [v for sid, v in self._user_vocabularies.items() if sid not in hidden]
            found = self._vocabularies[hidden] = self.catalogue_vocabulary.union(*visible)
        return found

    def expand(self, question: str) -> str:
        """The question with acronyms the report and its evidence define added beside their long forms, and back."""
        return expand(question, self.acronyms)

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
        found = []
        for m in _NAME_OR_NUMBER.finditer(question):
            word = m.group(0)
            before = question[: m.start()].rstrip()
            if not before or before.endswith((".", "!", "?", ":", '"', "“")):
                continue  # the first word of a sentence is capitalised anyway
            if word.isalpha() and word.isupper():
                continue  # acronyms are too often spelt differently from the sources ("IIPP")
            key = _POSSESSIVE.sub("", word).lower()
            if key not in vocabulary and key.rstrip("s") not in vocabulary:
                found.append(word)
        return found

    def _allowed(self, chunk: Chunk, source_ids: Sequence[str] | None, kinds: Sequence[str] | None) -> bool:
        return (not source_ids or chunk.source_id in source_ids) and (not kinds or chunk.kind in kinds)

    def dense(
        self, query_vector: np.ndarray, k: int, where: dict | None = None,
        allowed: Callable[[Chunk], bool] | None = None,
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine, through Chroma; from this snapshot's own copy of the vectors while Chroma does
        not answer (a team's server restarting), so questions keep being answered meanwhile."""
        if self.vectorstore is None:
            return []
        try:
            hits = self.vectorstore.search(query_vector.tolist(), k=min(k, len(self.chunks)), where=where)
        except Exception as exc:  # noqa: BLE001 - the server's client raises transport and server errors alike
            log.warning("Chroma did not answer a query (%s); ranking from the snapshot's vectors", type(exc).__name__)
            scores = self.matrix @ query_vector
            order = [int(i) for i in np.argsort(-scores) if allowed is None or allowed(self.chunks[int(i)])]
            return [(self.chunks[i], float(scores[i])) for i in order[:k]]
        out = []
        for chunk_id, score in hits:
            chunk = self.by_id.get(chunk_id)
            if chunk is not None:
                out.append((chunk, score))
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

        dense = self.dense(query_vector, pool, where, allowed)
        lexical = self.lexical(self.expand(question), pool, allowed, origin)
        fused: dict[str, float] = {}
        for rank, (chunk, _) in enumerate(dense):
            fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        for rank, chunk in enumerate(lexical):
            fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        cosine = {c.id: s for c, s in dense}
        ranked = sorted(fused, key=lambda cid: (-fused[cid], cid))
        chosen: list[Chunk] = []
        for cid in ranked:
            chunk = self.by_id[cid]
            if any(_near_duplicate(chunk, other, self.settings.near_duplicate_jaccard) for other in chosen):
                continue
            chosen.append(chunk)
            if len(chosen) >= k:
                break
        chosen = self._with_named_parts(question, query_vector, chosen, fused, allowed)[:k]
        out = []
        for n, chunk in enumerate(chosen, start=1):
            dense_score = cosine.get(chunk.id)
            if dense_score is None:
                dense_score = float(self.matrix[self.chunks.index(chunk)] @ query_vector)
            out.append(Passage(n, chunk, fused[chunk.id], dense_score))
        return out


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


def _near_duplicate(a: Chunk, b: Chunk, jaccard: float) -> bool:
    """Same words, nearly: the summary repeats the body's recommendations, for one."""
    ta, tb = set(terms(a.text)), set(terms(b.text))
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta | tb) >= jaccard
