"""The drafting port: ``Evidence``, built by the facade once per request from one index snapshot.

Drafting modules receive an Evidence and nothing else of the Assistant: they search (retrieval and the
composer's scored units), cite (one Ledger per draft numbers the citations), verify (every quoted
statement goes through the citation verifier) and narrate (LLM prose over the same evidence, verified).
The report's own tables (the profile's missions and shifts tables) are read here too, cell by cell, from
the snapshot's chunks, so each cell is cited to its row and column.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from assistant import answering, compose
from assistant.answering import Citer
from assistant.chain import build_chain, format_passages
from assistant.citations import Encoder, answer_sentences, normalise_markers, strip_markers, verify
from assistant.profile import CorpusProfile, TableSpec
from assistant.prompts import load_prompt
from assistant.retrieval import HybridRetriever
from assistant.schemas import Citation, Draft, EvidenceGap, RemovedSentence, Statement
from assistant.settings import Settings
from assistant.text.acronyms import find_acronyms, with_common
from assistant.text.questions import blank_model_directed
from assistant.text.words import content_lemmas, key_lemmas, terms
from assistant.types import Passage, Unit

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

_LIST_SPLIT = re.compile(r",\s*|\s+and\s+|\s+as well as\s+")
# What is derived from a snapshot's chunks alone (vocabulary, word counts, acronyms) is computed once per
# snapshot, not once per request: requests come and go, a snapshot lives until the next ingest.
_PER_SNAPSHOT: weakref.WeakKeyDictionary[HybridRetriever, dict[str, object]] = weakref.WeakKeyDictionary()


@dataclass
class Ledger:
    """Numbers citations across one draft: one [n] per distinct quote, in order of first use."""

    citer: Citer
    _by_key: dict[tuple[str, int, int], Citation] = field(default_factory=dict)

    def add(self, citation: Citation) -> Citation:
        key = (citation.source_id, citation.start, citation.end)
        if key not in self._by_key:
            self._by_key[key] = citation.model_copy(update={"n": len(self._by_key) + 1})
        return self._by_key[key]

    def cite(self, passage: Passage, unit: Unit, score: float = 1.0) -> Citation:
        """A numbered citation of ``unit`` (an exact span of ``passage``)."""
        return self.add(self.citer(0, passage, unit, score))

    def cite_chunk(self, passage: Passage, score: float = 1.0) -> Citation:
        """Cite a whole table row or figure, as one quotable unit."""
        chunk = passage.chunk
        return self.cite(passage, Unit(chunk.start, chunk.end, chunk.text), score)

    @property
    def citations(self) -> list[Citation]:
        return sorted(self._by_key.values(), key=lambda c: c.n)


@dataclass(frozen=True)
class Found:
    """Cited statements for a query, or the gap that explains why there are none."""

    statements: list[Statement]
    gap: EvidenceGap | None
    best: float


@dataclass(frozen=True)
class MissionCells:
    """One column of the profile's missions table: the mission's goal and its core metric."""

    name: str
    goal: Passage
    metric: Passage


def without_instructions(passage: Passage) -> Passage:
    """The passage with every sentence addressed to a model (questions.addressed_to_model) blanked out.

    Instructions in documents are data: they are never a draft's or a claim check's evidence. Each such sentence
    becomes spaces of its length, so every offset into the chunk (and every other sentence) stays as stored and
    the sentence splitters of the drafts (claims, briefing, checks) never see it.
    """
    chunk = passage.chunk
    text = blank_model_directed(chunk.text)
    if text == chunk.text:
        return passage
    return Passage(passage.n, chunk.model_copy(update={"text": text}), passage.score, passage.dense)


def clean(text: str, limit: int = 600) -> str:
    """A query from user text: one line, bounded so long proposals do not exceed the question limit."""
    return " ".join(text.split())[:limit]


def gap_statement(text: str) -> Statement:
    return Statement(text=text, gap=True)


def first(found: Found, missing: str) -> Statement:
    """The first statement found, or a gap saying what is missing."""
    return found.statements[0] if found.statements else gap_statement(missing)


def items(phrase: str) -> list[str]:
    """The items of an English list: "primary, community and social care" -> [...]."""
    return [p.strip(" .") for p in _LIST_SPLIT.split(phrase) if p.strip(" .")]


class Evidence:
    """What drafting may use of the index, the citer, the verifier and the chat model, for one request."""

    def __init__(
        self, snapshot: HybridRetriever, *, embed: Encoder, citer: Citer, settings: Settings,
        profile: CorpusProfile, llm: BaseChatModel | None = None, hidden: frozenset[str] = frozenset(),
    ) -> None:
        self.snapshot = snapshot
        self.hidden = hidden  # sources this request may not see (other users' private documents)
        self.embed = embed
        self.citer = citer
        self.settings = settings
        self.profile = profile
        self.llm = llm

    # -- search ---------------------------------------------------------------------------------
    def retrieve(
        self, query: str, *, k: int | None = None, source_ids: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> tuple[list[Passage], np.ndarray]:
        """Passages for ``query`` from this request's snapshot, and the query's vector."""
        vector = self.embed([query])[0]
        passages = self.snapshot.retrieve(query, vector, k=k or self.settings.k, source_ids=source_ids, kinds=kinds,
                                          hidden=self.hidden)
        return [without_instructions(p) for p in passages], vector

    def units(self, query: str, **kw: object) -> tuple[list[compose.Candidate], list[Passage]]:
        """The scored quotable units of the passages retrieved for ``query`` (as an answer would score them)."""
        passages, vector = self.retrieve(query, **kw)  # type: ignore[arg-type]
        return answering.scored_units(self.snapshot, query, vector, passages, self.settings), passages

    def unknown_names(self, text: str, *, catalogue_only: bool = False) -> list[str]:
        """Names and numbers in ``text`` that no indexed passage (``catalogue_only``: no passage of the report or
        its evidence) mentions."""
        if catalogue_only:
            return self.snapshot.unknown_to_catalogue(text)
        return self.snapshot.unknown_names(text, self.hidden)

    @property
    def floor(self) -> float:
        """The refusal floor: a unit below it is not relevant enough to quote."""
        return self.settings.answer.refusal_threshold

    def _derived(self, name: str, build: Callable[[], object]) -> object:
        cache = _PER_SNAPSHOT.setdefault(self.snapshot, {})
        if name not in cache:
            cache[name] = build()
        return cache[name]

    @property
    def acronyms(self) -> dict[str, str]:
        chunks = self.snapshot.chunks
        return self._derived("acronyms", lambda: with_common(find_acronyms(c.display_text for c in chunks)))  # type: ignore[return-value]

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every content stem any indexed passage uses."""
        chunks = self.snapshot.chunks
        return self._derived(  # type: ignore[return-value]
            "vocabulary", lambda: frozenset(w for c in chunks for w in content_lemmas(c.display_text))
        )

    @property
    def document_frequency(self) -> Counter[str]:
        """How many passages use each key stem."""
        chunks = self.snapshot.chunks
        return self._derived("df", lambda: Counter(w for c in chunks for w in key_lemmas(c.text)))  # type: ignore[return-value]

    def specific(self, text: str) -> set[str]:
        """The words of ``text`` that few passages use ('reoffending', 'hospital'), not common ones ('rates')."""
        limit = max(3, len(self.snapshot.chunks) // self.settings.drafting.specific_share)
        return {w for w in key_lemmas(text) if self.document_frequency[w] <= limit}

    def chunk(self, chunk_id: str) -> Passage | None:
        chunk = self.snapshot.by_id.get(chunk_id)
        if chunk is None or chunk.source_id in self.hidden:
            return None
        return without_instructions(Passage(0, chunk, 1.0, 1.0))

    def rows_named(self, text: str) -> list[Passage]:
        """The table rows of the report and its evidence whose label (first cell) ``text`` names: 'Targets drive
        improvement' -> Table 2.1's Targets row, which a claim about targets is weighed against even when its
        other words pull retrieval elsewhere."""
        wanted = set(content_lemmas(text))

        def build() -> list[tuple[frozenset[str], str]]:
            return [(frozenset(content_lemmas(c.text.split("\t", 1)[0])), c.id) for c in self.snapshot.chunks
                    if c.kind == "table_row" and "\t" in c.text and c.origin != "user document"]

        labels: list[tuple[frozenset[str], str]] = self._derived("row_labels", build)  # type: ignore[assignment]
        return [p for label, chunk_id in labels if label and label <= wanted and (p := self.chunk(chunk_id)) is not None]

    # -- the report's tables (from the profile) --------------------------------------------------
    def table_cells(self, spec: TableSpec | None) -> list[tuple[re.Match[str], Passage]]:
        """Every table-row chunk of the report whose locator matches ``spec``, with the match."""
        if spec is None:
            return []
        pattern = re.compile(spec.locator)
        out = []
        for chunk in self.snapshot.chunks:
            if chunk.kind == "table_row" and chunk.source_id == self.profile.report_id:
                m = pattern.match(chunk.locator)
                if m:
                    out.append((m, Passage(0, chunk, 1.0, 1.0)))
        return out

    @cached_property
    def missions(self) -> dict[str, MissionCells]:
        """The report's missions from its missions table, keyed by column name."""
        spec = self.profile.tables.missions
        cells: dict[str, dict[int, Passage]] = {}
        for m, passage in self.table_cells(spec):
            cells.setdefault(m.group("mission"), {})[int(m.group("row"))] = passage
        if spec is None:
            return {}
        return {
            name: MissionCells(name, rows[spec.goal_row], rows[spec.metric_row])
            for name, rows in cells.items() if spec.goal_row in rows and spec.metric_row in rows
        }

    @cached_property
    def shifts(self) -> dict[str, Passage]:
        """The spending shift of the shifts table for each mission, keyed by mission name."""
        return {m.group("mission"): p for m, p in self.table_cells(self.profile.tables.shifts)}

    def shift_sides(self, row_text: str) -> tuple[str, str]:
        """(from, to) of a shifts-table row: "Shift the balance of spending from X to Y." -> ("X", "Y")."""
        body = row_text.split("\t")[-1].strip().rstrip(".")
        spec = self.profile.tables.shifts
        m = re.search(spec.shift, body) if spec and spec.shift else None
        if not m:
            return "", body
        return m.group("src").strip(" ,"), m.group("dst").strip(" ,")

    def table_label(self, name: str) -> str:
        """How the report names its missions or shifts table (from the profile), or a plain description."""
        spec = getattr(self.profile.tables, name)
        return spec.label if spec is not None else f"the report's {name} table"

    def match_mission(self, text: str) -> str | None:
        """The report mission ``text`` names ("the health mission") or restates (its goal)."""
        table = self.missions
        words = set(terms(text)) - {"mission", "council", "uk", "britain"}
        for name in table:
            if words == {name.lower()} or words == set(terms(name)):
                return name
        for name, cells in table.items():
            goal = set(terms(cells.goal.chunk.text))
            if words and len(words & goal) / len(words | goal) >= self.settings.drafting.mission_goal_jaccard:
                return name
        return None

    # -- cite and verify ------------------------------------------------------------------------
    def ledger(self) -> Ledger:
        """A fresh citation ledger for one draft."""
        return Ledger(self.citer)

    def query(self, name: str, **values: str) -> str:
        """The profile's named drafting query ('' when the profile has none: the field becomes a gap)."""
        return self.profile.query(name, **values) or ""

    def gather(
        self, ledger: Ledger, query: str, *, field_name: str, limit: int = 3, kinds: Sequence[str] | None = None,
        source_ids: Sequence[str] | None = None, k: int | None = None, exclude: set[tuple[str, int]] | None = None,
        keep: Callable[[str], bool] | None = None, each_relevant: bool = False, with_antecedent: bool = False,
    ) -> Found:
        """Up to ``limit`` cited, verified sentences answering ``query``; a gap when nothing clears the bar.

        ``exclude`` holds (chunk id, start) of units already used elsewhere in the draft, and is updated;
        ``keep`` filters candidate sentences by their text (e.g. only recommendations). With ``with_antecedent`` a
        sentence that points back ('This is most clearly seen in …') is quoted with the sentence it points to. With
        ``each_relevant``
        every sentence must clear the refusal floor itself, not only the best one: when ``keep`` filters out
        the best sentences, what remains is not quoted unless it is relevant in its own right.
        """
        query = clean(query)
        if not query:
            return Found([], EvidenceGap(field=field_name, query="", reason="the corpus profile has no query for it"), 0.0)
        pool, _ = self.units(query, k=k, source_ids=source_ids, kinds=kinds)
        best = max((c.score for c in pool), default=0.0)
        unknown = self.unknown_names(query)
        if unknown:
            reason = f"the sources never mention {', '.join(repr(w) for w in unknown)}"
            return Found([], EvidenceGap(field=field_name, query=query, reason=reason), best)
        if best < self.floor:
            reason = f"no passage is relevant enough (best match {best:.2f}, threshold {self.floor:.2f})"
            return Found([], EvidenceGap(field=field_name, query=query, reason=reason), best)
        used = exclude if exclude is not None else set()
        limit_chars = self.settings.drafting.max_quote_chars
        if with_antecedent:
            pool = [compose.with_antecedent_unit(c, pool) for c in pool]
        pool = [
            c for c in pool
            if (c.passage.chunk.id, c.unit.start) not in used
            and not compose.front_matter(c.passage.chunk)  # a draft's evidence is never the publisher's blurb
            and len(c.unit.text) <= limit_chars
            and (not each_relevant or c.score >= self.floor)
            and (keep is None or keep(c.unit.text))
        ]
        statements = []
        for cand in compose.select(pool, limit, self.settings.answer):
            statement = self.verified_statement(ledger, cand)
            if statement is not None:
                statements.append(statement)
                used.add((cand.passage.chunk.id, cand.unit.start))
        if not statements:
            reason = "no sentence of the retrieved passages passed the filters and the citation verifier"
            return Found([], EvidenceGap(field=field_name, query=query, reason=reason), best)
        return Found(statements, None, best)

    def verified_statement(self, ledger: Ledger, cand: compose.Candidate) -> Statement | None:
        """One candidate rendered as a sentence and passed through the citation verifier."""
        passage = Passage(1, cand.passage.chunk, cand.passage.score, cand.passage.dense)
        checked = verify(
            [f"{compose.render(cand)} [1]."], [passage], encode=self.embed,
            make_citation=lambda n, p, u, s: self.citer(n, p, cand.unit, s), settings=self.settings.verify,
        )
        if not checked.citations:
            return None
        return Statement(text=strip_markers(checked.text), citations=[ledger.add(checked.citations[0])])

    # -- narrate: LLM prose over the same evidence -----------------------------------------------
    def write(
        self, ledger: Ledger, prompt_name: str, values: dict[str, str], evidence: Iterable[Citation]
    ) -> tuple[list[Statement], list[RemovedSentence]]:
        """Prose from the chat model over the draft's cited passages, through the citation verifier.

        The model sees each passage under its draft number [n]; sentences it cannot support are kept but
        visibly marked (as in LLM answers) and listed as removed.
        """
        assert self.llm is not None
        by_n: dict[int, Passage] = {}
        for c in evidence:
            chunk = self.snapshot.by_id.get(c.chunk_id)
            if chunk is not None and c.n not in by_n:
                by_n[c.n] = Passage(c.n, chunk, 1.0, 1.0)
        passages = [by_n[n] for n in sorted(by_n)]
        text = build_chain(self.llm, load_prompt(prompt_name)).invoke({**values, "passages": format_passages(passages)})
        statements: list[Statement] = []
        removed: list[RemovedSentence] = []
        # One sentence at a time, so each Statement keeps exactly its own citations, numbered as in the draft.
        text = normalise_markers(text)
        for s, e in answer_sentences(text):
            checked = verify(
                text[s:e], passages, encode=self.embed, keep_unsupported=True, settings=self.settings.verify,
                make_citation=lambda n, p, u, sc: ledger.add(self.citer(n, p, u, sc)),
            )
            removed += checked.removed
            if checked.removed:
                statements += [Statement(text=checked.text, gap=True)] if checked.text else []
            elif checked.text:
                statements.append(Statement(text=strip_markers(checked.text), citations=checked.citations))
        return statements, removed

    def narrate(self, draft: Draft, ledger: Ledger, prompt_name: str, values: dict[str, str]) -> list[Statement]:
        """In LLM mode, the model's verified prose over the draft's own evidence, recorded on the draft."""
        prose, removed = self.write(ledger, prompt_name, values, draft.references())
        draft.narrative, draft.removed = prose, removed
        draft.mode, draft.model = "llm", self.settings.llm
        draft.prompt_version = load_prompt(prompt_name).version
        return prose
