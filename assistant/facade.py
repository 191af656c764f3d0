"""The Assistant facade: the one object the CLI, the Streamlit app and outside scripts use."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from assistant import compose
from assistant.citations import Unit, passage_units, verify
from assistant.conversation import History, rewrite
from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import IndexMissingError, QuestionError
from assistant.prompts import load_prompt
from assistant.retrieval import HybridRetriever, Passage
from assistant.schemas import (
    Answer,
    BriefingNote,
    Citation,
    ClaimCheck,
    IngestReport,
    MetricsDraft,
    MissionTestAssessment,
    SourceRecord,
)
from assistant.settings import Settings
from assistant.store import IndexStore

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from ingest.catalogue import Catalogue

REFUSAL = "The sources don't cover this question."
GENERATION_CHECK_SECONDS = 1.0
EMBEDDED_VERSION = "embedded-extractive-v1"


@dataclass(frozen=True)
class SourceStatus:
    """A catalogue entry with what the current index holds of it."""

    record: SourceRecord
    indexed: bool
    chunks: int


class Assistant:
    """Grounded answers, drafts and claim checks over the indexed corpus.

    Every external part is injectable; each defaults to a factory built from ``settings``.
    One instance serves many threads: the retrieval state is an immutable snapshot swapped under a lock.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embeddings: MiniLMEmbeddings | None = None,
        store: IndexStore | None = None,
        llm: BaseChatModel | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        from assistant.llm import make_chat_model
        from ingest.catalogue import Catalogue

        self.settings = settings or Settings()
        self.embeddings = embeddings or MiniLMEmbeddings(self.settings.model_cache_dir)
        self.store = store or IndexStore(self.settings, self.embeddings)
        self.catalogue = catalogue or Catalogue.load(self.settings.corpus_dir)
        self.llm = llm if llm is not None else make_chat_model(self.settings)
        self._lock = threading.Lock()
        self._retriever: HybridRetriever | None = None
        self._checked_at = 0.0

    @classmethod
    def load(cls, settings: Settings | None = None, *, build_if_missing: bool = True, **parts: Any) -> Assistant:
        """An Assistant over the current index; builds it from corpus/ first if there is none."""
        assistant = cls(settings, **parts)
        if assistant.store.active_generation() is None:
            if not build_if_missing:
                raise IndexMissingError("no index yet: run `python -m assistant ingest`")
            assistant.ingest()
        assistant.retriever  # noqa: B018 - warm the snapshot so the first question is fast
        return assistant

    # -- the index ----------------------------------------------------------------------------
    @property
    def retriever(self) -> HybridRetriever:
        """The retrieval snapshot of the current index generation.

        Another process (the CLI, a teammate on the same Chroma server) may switch generations: the
        pointer is read at most once a second and a new snapshot is built when it has moved.
        """
        with self._lock:
            now = time.monotonic()
            if self._retriever is None or now - self._checked_at > GENERATION_CHECK_SECONDS:
                active = self.store.active_generation()
                self._checked_at = now
                if active is None:
                    raise IndexMissingError("no index yet: run `python -m assistant ingest`")
                if self._retriever is None or self._retriever.generation != active:
                    self._retriever = self._new_retriever(active)
            return self._retriever

    def _new_retriever(self, generation: str | None = None) -> HybridRetriever:
        # Catalogue citations and front matter name authors and publishers the passages may not.
        sources = self.store.sources(generation)
        texts = [f"{r.title} {r.citation}" for r in self.catalogue.records] + [s.text for s in sources]
        return HybridRetriever(self.store, texts, generation)

    def ingest(
        self, paths: Sequence[Path] = (), progress: Callable[[int, int, str], None] | None = None
    ) -> IngestReport:
        """Index the corpus and user documents (adding ``paths`` first); atomic and idempotent."""
        from ingest.pipeline import run_ingest

        report = run_ingest(self.settings, self.embeddings, self.store, self.catalogue, paths=paths, progress=progress)
        if report.changed or self._retriever is None:
            fresh = self._new_retriever() if self.store.active_generation() else None
            with self._lock:
                self._retriever = fresh
        return report

    def remove_source(self, source_id: str) -> IngestReport:
        """Delete a user document and drop its chunks from the index."""
        from ingest.pipeline import user_source_id

        # A front-matter id names the source, so look the file up in the index as well as by name.
        indexed = {s.record.id: s.record.file for s in self.store.sources() if s.record.kind == "user document"}
        for path in self.settings.user_documents_dir.glob("*"):
            if source_id in (user_source_id(path), path.name) or indexed.get(source_id) == path.name:
                path.unlink()
                return self.ingest()
        raise KeyError(f"no user document with id {source_id!r} (corpus sources cannot be removed here)")

    def sources(self) -> list[SourceStatus]:
        """The catalogue and user documents, each with what is indexed of it."""
        indexed = {s.record.id: s for s in self.store.sources()}
        out = [SourceStatus(r, r.id in indexed, indexed[r.id].chunks if r.id in indexed else 0) for r in self.catalogue.records]
        known = {r.id for r in self.catalogue.records}
        out += [SourceStatus(s.record, True, s.chunks) for s in indexed.values() if s.record.id not in known]
        return out

    # -- answering ----------------------------------------------------------------------------
    def _validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty: type a question about the report or its evidence")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is {len(question):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,}. Ask a shorter question, or add long text as a document."
            )
        return " ".join(question.split())

    def retrieve(
        self, question: str, *, k: int | None = None, source_ids: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> tuple[list[Passage], np.ndarray]:
        """Passages for a question (and its vector), without composing an answer."""
        return self._retrieve(self.retriever, question, k=k, source_ids=source_ids, kinds=kinds)

    def _retrieve(
        self, retriever: HybridRetriever, question: str, *, k: int | None, source_ids: Sequence[str] | None,
        kinds: Sequence[str] | None,
    ) -> tuple[list[Passage], np.ndarray]:
        vector = self.embeddings.embed([question])[0]
        passages = retriever.retrieve(question, vector, k=k or self.settings.k, source_ids=source_ids, kinds=kinds)
        return passages, vector

    def citation(self, n: int, passage: Passage, unit: Unit, score: float) -> Citation:
        """A Citation for ``unit`` of ``passage``, with the source's full reference and evidence."""
        chunk = passage.chunk
        record = self.catalogue.get(chunk.source_id)
        return Citation(
            n=n,
            source_id=chunk.source_id,
            title=chunk.title,
            locator=chunk.locator,
            quote=unit.text,
            passage=chunk.display_text,
            start=unit.start,
            end=unit.end,
            score=round(float(score), 4),
            chunk_id=chunk.id,
            section=chunk.section,
            kind=chunk.kind,
            url=record.url if record else None,
            citation=record.citation if record else chunk.title,
            evidence=self.catalogue.resolve(chunk.cites),
        )

    def relevance(self, passages: Sequence[Passage], question: str, vector: np.ndarray) -> float:
        """How well the best passage matches: the best unit's composed score, as ask() compares with the floor."""
        return max((c.score for c in _candidates(self.retriever, question, vector, passages)), default=0.0)

    def ask(
        self,
        question: str,
        history: History | None = None,
        *,
        k: int | None = None,
        source_ids: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer from the sources, every sentence cited and verified; refuse when they don't cover it."""
        timings: dict[str, float] = {}
        began = time.perf_counter()
        question = self._validate(question)
        history = [(self._validate(q), a) for q, a in (history or [])][-6:]
        standalone = self._standalone(question, history)
        # One snapshot for the whole question: the index may switch generations between two reads.
        retriever = self.retriever
        passages, vector = self._retrieve(retriever, standalone, k=k, source_ids=source_ids, kinds=kinds)
        timings["retrieve"] = time.perf_counter() - began
        pool = _candidates(retriever, standalone, vector, passages)
        best = max((c.score for c in pool), default=0.0)
        unknown = retriever.unknown_names(standalone)
        if unknown or best < self.settings.refusal_threshold:
            answer = self._refusal(question, standalone, passages, pool, unknown)
        elif self.llm is None:
            answer = self._embedded(question, standalone, pool)
        else:
            answer = self._with_llm(question, standalone, passages, on_token)
        timings["total"] = time.perf_counter() - began
        answer.timings = {key: round(value, 4) for key, value in timings.items()}
        return answer

    def _standalone(self, question: str, history: History) -> str:
        if not history:
            return question
        if self.llm is None:
            return rewrite(question, history)
        from assistant.chain import condense

        return condense(self.llm, question, history)

    def _refusal(
        self, question: str, standalone: str, passages: Sequence[Passage], pool: list[compose.Candidate],
        unknown: Sequence[str] = (),
    ) -> Answer:
        closest: list[Citation] = []
        for passage in passages[:3]:
            units = [c for c in pool if c.passage.n == passage.n]
            best = max(units, key=lambda c: c.score) if units else None
            unit = best.unit if best else passage_units(passage)[0]
            closest.append(self.citation(len(closest) + 1, passage, unit, best.score if best else 0.0))
        text = REFUSAL if not unknown else f"{REFUSAL} They never mention {', '.join(repr(w) for w in unknown)}."
        return Answer(
            question=question, answer=text, refused=True, closest=closest, mode=self._mode(),
            model=self.settings.llm, prompt_version=self._version(), standalone_question=standalone,
        )

    def _embedded(self, question: str, standalone: str, pool: list[compose.Candidate]) -> Answer:
        picks = compose.select(pool, self.settings.max_answer_sentences)
        chosen = compose.with_antecedents(compose.with_list_items(compose.with_continuation(picks, pool), pool), pool)
        chosen = compose.with_numbers(standalone, chosen, pool)
        chosen = compose.fit(chosen, picks, self.settings.max_answer_sentences)
        # Each chosen unit gets its own number, so each citation quotes exactly one sentence.
        numbered = [Passage(i, c.passage.chunk, c.passage.score, c.passage.dense) for i, c in enumerate(chosen, 1)]
        draft = [f"{compose.render(c)} [{i}]." for i, c in enumerate(chosen, 1)]
        units = {i: c.unit for i, c in enumerate(chosen, 1)}
        checked = verify(draft, numbered, encode=self.embeddings.embed, make_citation=self._citation_with(units))
        return Answer(
            question=question, answer=checked.text or REFUSAL, refused=not checked.citations,
            citations=checked.citations, removed=checked.removed, mode="embedded",
            prompt_version=EMBEDDED_VERSION, standalone_question=standalone,
        )

    def _citation_with(self, units: dict[int, Unit]) -> Callable[[int, Passage, Unit, float], Citation]:
        def make(n: int, passage: Passage, unit: Unit, score: float) -> Citation:
            return self.citation(n, passage, units.get(passage.n, unit), score)

        return make

    def _with_llm(self, question: str, standalone: str, passages: Sequence[Passage],
                  on_token: Callable[[str], None] | None) -> Answer:
        from assistant.chain import generate

        assert self.llm is not None
        text = generate(self.llm, standalone, passages, on_token=on_token)
        checked = verify(text, passages, encode=self.embeddings.embed, make_citation=self.citation,
                         keep_unsupported=True)
        refused = not checked.citations
        return Answer(
            question=question, answer=checked.text if not refused else REFUSAL, refused=refused,
            citations=checked.citations, removed=checked.removed, mode="llm", model=self.settings.llm,
            prompt_version=load_prompt("answer").version, standalone_question=standalone,
        )

    def _mode(self) -> Literal["embedded", "llm"]:
        return "embedded" if self.llm is None else "llm"

    def _version(self) -> str:
        return EMBEDDED_VERSION if self.llm is None else load_prompt("answer").version

    # -- drafting (assistant/drafting): every field cited or marked as a gap ----------------------
    def draft_metrics(self, mission: str) -> MetricsDraft:
        """Core, output and input metrics for one of the report's missions or a custom mission statement."""
        from assistant.drafting.metrics import draft_metrics

        return draft_metrics(self, mission)

    def draft_mission_test(self, proposal: str | None = None, *, file: Path | None = None) -> MissionTestAssessment:
        """A spending proposal (text, or a document) put through the report's mission test."""
        from assistant.drafting.mission_test import draft_mission_test

        return draft_mission_test(self, proposal, file=file)

    def draft_briefing(self, council: str, topic: str) -> BriefingNote:
        """A two-page briefing note on ``topic`` for a mission council."""
        from assistant.drafting.briefing import draft_briefing

        return draft_briefing(self, council, topic)

    def check(self, claim: str) -> ClaimCheck:
        """Supported, contradicted, mixed or not enough evidence: a claim against the sources, both sides quoted."""
        from assistant.drafting.claims import check_claim

        return check_claim(self, claim)


def _candidates(
    retriever: HybridRetriever, question: str, vector: np.ndarray, passages: Sequence[Passage]
) -> list[compose.Candidate]:
    """Every quotable unit of the passages, scored against the question with the acronyms the sources define."""
    return compose.candidates(retriever.expand(question), vector, passages, retriever.sentences)
