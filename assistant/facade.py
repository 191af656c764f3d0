"""The Assistant facade: the one object the CLI, the Streamlit app and outside scripts use.

It wires the parts (all injectable) and gives each request one index snapshot: ``ask`` answers from it,
and each draft gets an ``Evidence`` port built from it, so no request mixes two index generations.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from assistant import answering
from assistant.answering import Citer
from assistant.chain import condense
from assistant.conversation import History, new_subject, rewrite
from assistant.drafting.briefing import draft_briefing
from assistant.drafting.claims import check_claim
from assistant.drafting.draft_check import check_draft
from assistant.drafting.evidence import Evidence
from assistant.drafting.metrics import draft_metrics
from assistant.drafting.mission_test import draft_mission_test
from assistant.embeddings import MiniLMEmbeddings
from assistant.errors import IndexMissingError, IndexUnavailableError, NotOwnerError, QuestionError
from assistant.llm import make_chat_model
from assistant.profile import CorpusProfile, load_profile
from assistant.prompts import load_prompt
from assistant.retrieval import HybridRetriever
from assistant.schemas import (
    Answer,
    BriefingNote,
    Citation,
    ClaimCheck,
    DraftCheck,
    IngestReport,
    MetricsDraft,
    MissionTestAssessment,
    SourceRecord,
)
from assistant.settings import MAX_K, Settings
from assistant.store import IndexStore
from assistant.text.questions import clauses, named_labels, strip_markup
from assistant.text.sentences import has_pronoun
from assistant.types import Passage, Unit
from ingest.catalogue import Catalogue
from ingest.chunking import chunk_label
from ingest.fetch import FetchResult, fetch_evidence, with_fetched_works
from ingest.library import Sharing, manifest_for, owner_folder
from ingest.loaders import SUPPORTED, load, size_problem
from ingest.pipeline import library_files, remove_library_file, run_ingest, shown_path, user_source_id

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)
REFUSAL = answering.REFUSAL
SUPPORTED_TYPES: tuple[str, ...] = tuple(SUPPORTED)
__all__ = ["SUPPORTED_TYPES", "Assistant", "SourceStatus", "size_problem"]
Mode = Literal["embedded", "llm"]


@dataclass(frozen=True)
class SourceStatus:
    """A catalogue entry with what the current index holds of it."""

    record: SourceRecord
    indexed: bool
    chunks: int
    owner: str = ""  # a user document's owner ('' for the catalogue, shared with everyone)
    shared: bool = True  # a user document shared with the team (the catalogue always is)


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
        profile: CorpusProfile | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.embeddings = embeddings or MiniLMEmbeddings(self.settings.model_cache_dir)
        try:
            self.store = store or IndexStore(self.settings, self.embeddings)
        except Exception as exc:
            if not self.settings.chroma_host:
                raise
            # The team's server is down or restarting: a clear message (the app's page shows it and retries on
            # the next run) rather than chromadb's "Could not connect to a Chroma server".
            raise self._unavailable() from exc
        # The catalogue and the works fetched for it (python -m assistant fetch-evidence), cited in full like it.
        self._own_catalogue = catalogue is None  # an injected catalogue is kept as given
        self.catalogue = catalogue or with_fetched_works(self.settings, Catalogue.load(self.settings.corpus_dir))
        self.llm = llm if llm is not None else make_chat_model(self.settings)
        self.profile = profile or load_profile(self.settings.corpus_dir / "profile.toml")
        self.citer = Citer(self.catalogue)
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # one snapshot build at a time, outside _lock
        self._retriever: HybridRetriever | None = None
        self._checked_at = 0.0

    @classmethod
    def load(cls, settings: Settings | None = None, *, build_if_missing: bool = True, **parts: Any) -> Assistant:
        """An Assistant over the current index; builds it from corpus/ first if there is none."""
        assistant = cls(settings, **parts)
        if assistant.store.active_generation() is None:
            if assistant.store.read_only:
                raise IndexMissingError(
                    f"no index in the read-only data folder {assistant.settings.data_dir}: build one where it can be "
                    "written (`python -m assistant ingest`), then serve it read-only"
                )
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
        pointer is read at most once a second and a new snapshot is built when it has moved. The build runs
        outside the lock readers need: while one thread builds, the others keep answering from the previous
        snapshot (only the very first snapshot is waited for).
        """
        with self._lock:
            current = self._retriever
            now = time.monotonic()
            if current is not None and now - self._checked_at <= self.settings.generation_check_seconds:
                return current
            try:
                active = self.store.active_generation()
            except Exception as exc:  # noqa: BLE001 - the server's client raises transport and server errors alike
                self._checked_at = now
                if current is not None:  # a team's Chroma server restarting: answer from the snapshot meanwhile
                    log.warning("the index did not answer (%s); answering from the current snapshot", exc)
                    return current
                raise self._unavailable() from exc
            self._checked_at = now
            if active is None:
                raise IndexMissingError("no index yet: run `python -m assistant ingest`")
            if current is not None and current.generation == active:
                return current
        if current is not None and not self._build_lock.acquire(blocking=False):
            return current  # another thread is building the new snapshot: the previous one answers meanwhile
        if current is None:
            self._build_lock.acquire()
        try:
            with self._lock:
                if self._retriever is not None and self._retriever.generation == active:
                    return self._retriever
            fresh = self._new_retriever(active)
            with self._lock:
                self._retriever = fresh
            return fresh
        finally:
            self._build_lock.release()

    def _unavailable(self) -> IndexUnavailableError:
        where = (f"the Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port}"
                 if self.settings.chroma_host else f"the index in {self.settings.data_dir}")
        return IndexUnavailableError(f"the index is unavailable ({where} does not answer); retrying: ask again in a moment")

    def _new_retriever(self, generation: str | None = None) -> HybridRetriever:
        generation = generation or self.store.active_generation()
        # Catalogue citations and front matter name authors and publishers the passages may not.
        catalogue = [f"{r.title} {r.citation}" for r in self.catalogue.records]
        previous = self._retriever
        if previous is not None and generation is not None:
            # Only user documents changed (an upload, a removal, a teammate's): the snapshot is carried over and
            # extended, reading what changed, rather than read whole again.
            advanced = previous.advanced(self.store, generation, catalogue)
            if advanced is not None:
                return advanced
        sources = self.store.sources(generation)
        users = {s.record.id: (s.record.file or "", s.text) for s in sources if s.record.kind == "user document"}
        texts = catalogue + [s.text for s in sources if s.record.kind != "user document"]
        return HybridRetriever(self.store, texts, generation, self.settings.retrieval, user_sources=users,
                               catalogue_texts=catalogue,
                               versions={s.record.id: (s.version, s.record.kind) for s in sources})

    # -- who may see what (ingest/library.py) ----------------------------------------------------
    def _refresh_catalogue(self) -> None:
        """Take in works fetched since this Assistant started (their records, for full citations)."""
        if not self._own_catalogue:
            return
        fetched = with_fetched_works(self.settings, Catalogue.load(self.settings.corpus_dir))
        if fetched.records != self.catalogue.records:
            self.catalogue = fetched
            self.citer = Citer(fetched)

    def _user(self, user: str | None) -> str:
        if user is None:
            return self.settings.default_user
        if not isinstance(user, str) or not user.strip():
            raise QuestionError("user must be a non-empty string (the signed-in user's id)")
        return user

    def _manifest(self) -> Any:
        """Who owns what and what is shared: in the team's Chroma server when there is one, else the data folder."""
        return manifest_for(self.settings.chroma_host, self.settings.user_documents_dir, self.store.client,
                            self.store.prefix)

    def _sharing(self) -> Sharing:
        return self._manifest().read()

    def hidden(self, snapshot: HybridRetriever, user: str | None = None) -> frozenset[str]:
        """The user documents of ``snapshot`` that ``user`` may not see: other users' private documents."""
        who, default = self._user(user), self.settings.default_user
        try:
            sharing = self._sharing()
        except Exception as exc:  # noqa: BLE001 - a team's server restarting: fail closed, to the user's own documents
            log.warning("the sharing record did not answer (%s): showing the user their own documents only", exc)
            sharing = Sharing({str(owner_folder(who, default)): who}, frozenset())
        return sharing.hidden_from(snapshot.user_folders, who, default)

    def fetch_evidence(
        self, ids: Sequence[str] | None = None, *, timeout: float = 30,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> tuple[list[FetchResult], IngestReport]:
        """Download the works the evidence notes summarise (or ``ids`` only), keep the good copies, and index them
        beside their notes: one result per work (fetched, or why not), and the ingest report. A work that fails
        keeps its earlier copy. The works are the shared catalogue's, so every user sees them."""
        results = fetch_evidence(self.settings, Catalogue.load(self.settings.corpus_dir), ids=ids, timeout=timeout)
        return results, self.ingest(progress=progress)

    def ingest(
        self, paths: Sequence[Path] = (), progress: Callable[[int, int, str], None] | None = None, *,
        replace: bool = False, follow_links: bool = False, user: str | None = None,
    ) -> IngestReport:
        """Index the corpus and user documents (adding ``paths`` first, as ``user``'s: private to them until shared);
        atomic and idempotent.

        Folders keep their sub-folders in the documents' names and ids. A different file under a name already in
        the user's library is refused (a per-file error) unless ``replace``; symbolic links are reported and not
        followed unless ``follow_links``.
        """
        return self._ingest(paths, progress, replace=replace, follow_links=follow_links, user=user)

    def _ingest(
        self, paths: Sequence[Path] = (), progress: Callable[[int, int, str], None] | None = None, *,
        replace: bool = False, follow_links: bool = False, user: str | None = None, drop: Sequence[str] = (),
    ) -> IngestReport:
        report = run_ingest(
            self.settings, self.embeddings, self.store, self.catalogue, paths=paths, progress=progress,
            replace=replace, follow_links=follow_links, user=self._user(user), drop=drop,
        )
        self._refresh_catalogue()
        if report.changed or self._retriever is None:
            fresh = self._new_retriever() if self.store.active_generation() else None
            with self._lock:
                self._retriever = fresh
        return report

    def _visible_files(self, user: str | None) -> list[PurePosixPath]:
        """The library paths of the user documents ``user`` may see: this data folder's files and, on a shared
        Chroma server, what other app processes added (known from the index)."""
        who, sharing, default = self._user(user), self._sharing(), self.settings.default_user
        paths = set(library_files(self.settings.user_documents_dir))
        paths |= {PurePosixPath(path) for path in self.retriever.user_files.values() if path}
        return sorted(rel for rel in paths if sharing.visible_to(rel.as_posix(), who, default))

    def library_path(self, source_id: str, *, user: str | None = None) -> str:
        """The path inside the library of the user document ``source_id`` names, among those ``user`` may see: its
        id, its path ("batch0/summary.txt", as its owner knows it) or, when only one document has it, its bare file
        name. KeyError otherwise: another user's private document is "not found", exactly as if it did not exist."""
        files = self._visible_files(user)
        # A front-matter id names the source, so look the file up in the index as well as by its own id.
        indexed = self.retriever.user_files
        exact = [rel for rel in files if source_id in (user_source_id(rel), rel.as_posix(), shown_path(rel)) or
                 indexed.get(source_id) == rel.as_posix()]
        named = [rel for rel in files if rel.name == source_id]
        if len(exact) == 1 or (not exact and len(named) == 1):
            return (exact or named)[0].as_posix()
        if len(exact) > 1 or named:
            many = exact if len(exact) > 1 else named
            ids = ", ".join(f"{user_source_id(rel)} ({shown_path(rel)})" for rel in many)
            raise KeyError(f"{len(many)} user documents are named {source_id!r}: give the id of one of them: {ids}")
        raise KeyError(f"no user document with id {source_id!r} (corpus sources cannot be removed here)")

    def library_file(self, library_path: str, *, user: str | None = None) -> Path | None:
        """The file an upload named ``library_path`` ("memo.md") by ``user`` would replace in their library, or None."""
        folder = owner_folder(self._user(user), self.settings.default_user)
        return library_files(self.settings.user_documents_dir).get(folder / PurePosixPath(library_path))

    def _owned(self, source_id: str, user: str | None, action: str) -> str:
        rel = self.library_path(source_id, user=user)
        owner = self._sharing().owner_of(rel, self.settings.default_user)
        if owner != self._user(user):
            raise NotOwnerError(f"only its owner ({owner}) can {action} {shown_path(rel)!r}")
        return rel

    def remove_source(self, source_id: str, *, user: str | None = None) -> IngestReport:
        """Delete exactly one of ``user``'s documents (by id, library path, or a file name only it has) and drop its
        chunks. A shared document someone else owns is a NotOwnerError; one ``user`` cannot see, a KeyError."""
        rel = self._owned(source_id, user, "remove")
        indexed = [sid for sid, path in self.retriever.user_files.items() if path == rel]
        remove_library_file(self.settings.user_documents_dir / rel, self.settings.user_documents_dir)
        self._manifest().forget(rel)
        return self._ingest(user=user, drop=indexed)

    def share(self, source_id: str, *, shared: bool = True, user: str | None = None) -> str:
        """Share one of ``user``'s documents with the team (``shared=False``: make it private again); returns its
        path. Nothing is re-indexed: who may see what is read per request."""
        rel = self._owned(source_id, user, "share or unshare")
        self._manifest().set_shared(rel, shared)
        return shown_path(rel)

    def sources(self, *, user: str | None = None) -> list[SourceStatus]:
        """The catalogue and the user documents ``user`` may see, each with what is indexed of it."""
        who, sharing, default = self._user(user), self._sharing(), self.settings.default_user
        indexed = {s.record.id: s for s in self.store.sources()}
        out = [SourceStatus(r, r.id in indexed, indexed[r.id].chunks if r.id in indexed else 0) for r in self.catalogue.records]
        known = {r.id for r in self.catalogue.records}
        for s in indexed.values():
            path = s.record.file or ""
            if s.record.id in known or not sharing.visible_to(path, who, default):
                continue
            out.append(SourceStatus(s.record, True, s.chunks, sharing.owner_of(path, default), path in sharing.shared))
        return out

    # -- answering ----------------------------------------------------------------------------
    def _validate(self, question: str) -> str:
        if not isinstance(question, str):
            raise QuestionError(f"the question must be text, not {type(question).__name__}")
        if not question.strip():
            raise QuestionError("the question is empty: type a question about the report or its evidence")
        try:
            question.encode("utf-8")
        except UnicodeEncodeError as exc:
            # A lone surrogate, or a byte that was not UTF-8 (kept by the terminal as one), cannot be tokenised.
            raise QuestionError(
                f"the question holds a character that is not valid text at position {exc.start + 1}: "
                "retype or paste it again as plain text"
            ) from exc
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is {len(question):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,}. Ask a shorter question, or add long text as a document."
            )
        return " ".join(question.split())

    def _validate_options(
        self, k: int | None, source_ids: Sequence[str] | None, kinds: Sequence[str] | None
    ) -> None:
        """API parameters checked before any work: a clear QuestionError, never a deep failure or a huge scan."""
        most = MAX_K
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= most):
            raise QuestionError(f"k (passages to retrieve) must be a whole number from 1 to {most}, not {k!r}")
        for name, values in (("source_ids", source_ids), ("kinds", kinds)):
            if values is not None and (isinstance(values, str) or not all(isinstance(v, str) for v in values)):
                raise QuestionError(f"{name} must be a list of strings, not {values!r}"[:200])

    def retrieve(
        self, question: str, *, k: int | None = None, source_ids: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None, user: str | None = None,
    ) -> tuple[list[Passage], np.ndarray]:
        """Passages for a question (and its vector) from what ``user`` may see, without composing an answer."""
        self._validate(question)
        self._validate_options(k, source_ids, kinds)
        snapshot = self.retriever
        return self._retrieve(snapshot, question, k=k, source_ids=source_ids, kinds=kinds,
                              hidden=self.hidden(snapshot, user))

    def _retrieve(
        self, retriever: HybridRetriever, question: str, *, k: int | None, source_ids: Sequence[str] | None,
        kinds: Sequence[str] | None, hidden: frozenset[str] = frozenset(),
    ) -> tuple[list[Passage], np.ndarray]:
        vector = self.embeddings.embed([question])[0]
        passages = retriever.retrieve(question, vector, k=k or self.settings.k, source_ids=source_ids, kinds=kinds,
                                      hidden=hidden)
        return passages, vector

    def citation(self, n: int, passage: Passage, unit: Unit, score: float) -> Citation:
        """A Citation for ``unit`` of ``passage``, with the source's full reference and evidence."""
        return self.citer(n, passage, unit, score)

    def relevance(self, passages: Sequence[Passage], question: str, vector: np.ndarray) -> float:
        """How well the best passage matches: the best unit's composed score, as ask() compares with the floor."""
        pool = answering.scored_units(self.retriever, question, vector, passages, self.settings)
        return max((c.score for c in pool), default=0.0)

    def ask(
        self,
        question: str,
        history: History | None = None,
        *,
        k: int | None = None,
        source_ids: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        on_token: Callable[[str], None] | None = None,
        mode: Mode | None = None,
        user: str | None = None,
    ) -> Answer:
        """Answer from the sources, every sentence cited and verified; refuse when they don't cover it.

        ``mode`` chooses "embedded" (extractive, no model) or "llm" (the configured chat model); by
        default the chat model answers when one is configured.
        """
        timings: dict[str, float] = {}
        began = time.perf_counter()
        asked = strip_markup(question) if isinstance(question, str) else question
        question = self._validate(question)
        self._validate_options(k, source_ids, kinds)
        history = [(self._validate(q), a) for q, a in (history or [])][-6:]
        llm = self._llm_for(mode)
        # Markdown, HTML or quotes pasted around a question are not part of what it asks.
        standalone = self._standalone(asked or question, history, llm)
        # One snapshot for the whole question: the index may switch generations between two reads.
        snapshot = self.retriever
        # Only what this user may see: the catalogue, their own documents and those shared with the team.
        hidden = self.hidden(snapshot, user)
        passages, vector = self._retrieve(snapshot, standalone, k=k, source_ids=source_ids, kinds=kinds, hidden=hidden)
        timings["retrieve"] = time.perf_counter() - began
        pool = answering.scored_units(snapshot, standalone, vector, passages, self.settings)
        # A question naming the report asks what the report says: the user's documents cannot answer it (they may
        # follow an answer, labelled); one naming what only a user document names is about that document.
        about_report = self.profile.names_report(standalone)
        user_led = not about_report and bool(snapshot.names_only_in_user_documents(standalone, hidden))
        best = max((c.score for c in pool if not (about_report and c.passage.chunk.origin == "user document")),
                   default=0.0)
        unknown = snapshot.unknown_names(standalone, hidden)
        library = answering.SnapshotLibrary(snapshot, standalone, vector, self.settings)
        # A clause naming something the sources never mention is a part they do not cover; the question is
        # refused only when every clause does ('What is the average teacher salary in Finland?').
        partly = bool(unknown) and any(not any(w in c for w in unknown) for c in clauses(standalone))
        # A question naming a part of the sources that exists ('What does figure 1.5 show?') is answered from it,
        # however little its caption's words match the question's.
        named = named_labels(standalone)
        names_a_part = bool(named) and any(chunk_label(p.chunk) in named for p in passages)
        if (unknown and not partly) or (best < self.settings.answer.refusal_threshold and not names_a_part):
            answer = answering.refusal(
                question, standalone, passages, pool, self.citer, unknown=unknown,
                mode="embedded" if llm is None else "llm", model=None if llm is None else self.settings.llm,
                version=self._version(llm),
            )
        elif llm is None:
            # A question leaning on the conversation (rewritten, or with a pronoun after earlier turns) may be about
            # an earlier turn's subject; one naming a new subject ('What about A&E?') must be answered on it.
            said = asked or question
            answer = answering.embedded(question, standalone, pool, self.citer, self.settings, self.embeddings.embed,
                                        library, unknown, user_led=user_led, subject=new_subject(said, history),
                                        follow_up=bool(history) and (standalone != said or has_pronoun(said)),
                                        about_report=about_report)
        else:
            answer = answering.with_llm(
                question, standalone, answering.whole_units(standalone, passages, library), self.citer, self.settings,
                self.embeddings.embed, llm, on_token,
            )
        timings["total"] = time.perf_counter() - began
        answer.timings = {key: round(value, 4) for key, value in timings.items()}
        return answer

    def _llm_for(self, mode: Mode | None) -> BaseChatModel | None:
        if mode == "embedded":
            return None
        if mode == "llm" and self.llm is None:
            raise QuestionError("no chat model is configured: set MISSION_DESK_LLM, or ask in the embedded mode")
        return self.llm

    def _standalone(self, question: str, history: History, llm: BaseChatModel | None) -> str:
        if not history:
            return question
        if llm is None:
            return rewrite(question, history)
        return condense(llm, question, history)

    def _version(self, llm: BaseChatModel | None) -> str:
        if llm is None:
            return answering.embedded_version(self.settings)
        return load_prompt("answer").version

    @property
    def embedded_version(self) -> str:
        """The version string of the embedded answer mode (derived from its steps, code and settings)."""
        return answering.embedded_version(self.settings)

    # -- drafting (assistant/drafting): every field cited or marked as a gap ----------------------
    def evidence(self, mode: Mode | None = None, *, user: str | None = None) -> Evidence:
        """The drafting port for one request: search, cite, verify and narrate over one index snapshot, seeing only
        what ``user`` may see."""
        snapshot = self.retriever
        return Evidence(
            snapshot, embed=self.embeddings.embed, citer=self.citer, settings=self.settings,
            profile=self.profile, llm=self._llm_for(mode), hidden=self.hidden(snapshot, user),
        )

    def draft_metrics(self, mission: str, *, mode: Mode | None = None, user: str | None = None) -> MetricsDraft:
        """Core, output and input metrics for one of the report's missions or a custom mission statement."""
        return draft_metrics(self.evidence(mode, user=user), mission)

    def draft_mission_test(
        self, proposal: str | None = None, *, file: Path | None = None, mode: Mode | None = None,
        user: str | None = None,
    ) -> MissionTestAssessment:
        """A spending proposal (text, or a document) put through the report's mission test."""
        if file is not None:
            loaded = load(Path(file), max_bytes=self.settings.max_upload_bytes).text
            proposal = f"{proposal}\n{loaded}" if proposal else loaded
        return draft_mission_test(self.evidence(mode, user=user), proposal or "")

    def draft_briefing(
        self, council: str, topic: str, *, mode: Mode | None = None, marking: str | None = None,
        date: str | None = None, to: str | None = None, sender: str | None = None, user: str | None = None,
    ) -> BriefingNote:
        """A two-page briefing note on ``topic`` for a mission council (one of the report's missions; any other is a
        QuestionError naming them). ``marking``, ``date`` (ISO), ``to`` and ``sender`` override the defaults."""
        return draft_briefing(self.evidence(mode, user=user), council, topic, marking=marking, date=date, to=to,
                              sender=sender)

    def check(self, claim: str, *, mode: Mode | None = None, user: str | None = None) -> ClaimCheck:
        """Supported, contradicted, mixed or not enough evidence: a claim against the sources, both sides quoted."""
        return check_claim(self.evidence(mode, user=user), claim)

    def check_draft(
        self, text: str | None = None, *, file: Path | None = None, mode: Mode | None = None, user: str | None = None,
    ) -> DraftCheck:
        """A whole draft (text, or a .docx, .pdf, .md or .txt file) checked sentence by sentence against the sources."""
        title = ""
        if file is not None:
            loaded = load(Path(file), max_bytes=self.settings.max_upload_bytes)
            body = loaded.text[loaded.body_start:]
            text = f"{text}\n\n{body}" if text else body
            title = loaded.title
        return check_draft(self.evidence(mode, user=user), text or "", title=title)
