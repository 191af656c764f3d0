"""Cited evidence for drafts: the one place where retrieval, composition and the citation verifier meet.

Every draft field is either a Statement whose citations quote stored passages (gathered here, through
the same candidates -> select -> render -> verify path as an embedded answer) or an explicit gap.
The report's own tables of missions (3.1) and spending shifts (3.2) are read here too, row by row,
through retrieval filtered to table rows, so each cell is cited to its row and column.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant import compose

# answer_sentences: the verifier's own split (markers stay with their sentence), reused, not copied.
from assistant.citations import Unit, answer_sentences, normalise_markers, strip_markers, verify
from assistant.retrieval import Passage, terms
from assistant.schemas import Citation, EvidenceGap, RemovedSentence, Statement

if TYPE_CHECKING:
    from assistant.facade import Assistant

MISSION_TABLE = "Table 3.1"  # the report's four missions: goal (row 1) and core metric (row 2) per column
SHIFT_TABLE = "Table 3.2"  # the 'pivot to prevention': one spending shift per mission
_COLUMN_CELL = re.compile(r"^Table 3\.1, (?P<mission>[\w ]+?) column, row (?P<row>\d+)")
_SHIFT_ROW = re.compile(r"^Table 3\.2, (?P<mission>[\w ]+?) row\b")
MAX_QUOTE_CHARS = 420  # longer sentences read badly in a draft and crowd a two-page note


@dataclass
class Ledger:
    """Numbers citations across one draft: one [n] per distinct quote, in order of first use."""

    assistant: Assistant
    _by_key: dict[tuple[str, int, int], Citation] = field(default_factory=dict)

    def add(self, citation: Citation) -> Citation:
        key = (citation.source_id, citation.start, citation.end)
        if key not in self._by_key:
            self._by_key[key] = citation.model_copy(update={"n": len(self._by_key) + 1})
        return self._by_key[key]

    def cite(self, passage: Passage, unit: Unit, score: float = 1.0) -> Citation:
        """A numbered citation of ``unit`` (an exact span of ``passage``)."""
        return self.add(self.assistant.citation(0, passage, unit, score))

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


def report_id(assistant: Assistant) -> str:
    """The catalogue id of the report itself (the tables live there)."""
    return next((r.id for r in assistant.catalogue.records if r.kind == "report"), "smarter-state-2023")


def clean(text: str, limit: int = 600) -> str:
    """A query from user text: one line, bounded so long proposals do not exceed the question limit."""
    return " ".join(text.split())[:limit]


def gather(
    assistant: Assistant,
    ledger: Ledger,
    query: str,
    *,
    field_name: str,
    limit: int = 3,
    kinds: Sequence[str] | None = None,
    source_ids: Sequence[str] | None = None,
    k: int | None = None,
    exclude: set[tuple[str, int]] | None = None,
    keep: Callable[[str], bool] | None = None,
) -> Found:
    """Up to ``limit`` cited, verified sentences answering ``query``; a gap when nothing clears the bar.

    ``exclude`` holds (chunk id, start) of units already used elsewhere in the draft, and is updated;
    ``keep`` filters candidate sentences by their text (e.g. only recommendations).
    """
    query = clean(query)
    passages, vector = assistant.retrieve(query, k=k, source_ids=source_ids, kinds=kinds)
    pool = compose.candidates(query, vector, passages, assistant.retriever.sentences)
    best = max((c.score for c in pool), default=0.0)
    unknown = assistant.retriever.unknown_names(query)
    if unknown:
        reason = f"the sources never mention {', '.join(repr(w) for w in unknown)}"
        return Found([], EvidenceGap(field=field_name, query=query, reason=reason), best)
    if best < assistant.settings.refusal_threshold:
        reason = f"no passage is relevant enough (best match {best:.2f}, threshold {assistant.settings.refusal_threshold:.2f})"
        return Found([], EvidenceGap(field=field_name, query=query, reason=reason), best)
    used = exclude if exclude is not None else set()
    pool = [
        c for c in pool
        if (c.passage.chunk.id, c.unit.start) not in used
        and len(c.unit.text) <= MAX_QUOTE_CHARS
        and (keep is None or keep(c.unit.text))
    ]
    statements = []
    for cand in compose.select(pool, limit):
        statement = verified_statement(assistant, ledger, cand)
        if statement is not None:
            statements.append(statement)
            used.add((cand.passage.chunk.id, cand.unit.start))
    if not statements:
        reason = "no sentence of the retrieved passages passed the filters and the citation verifier"
        return Found([], EvidenceGap(field=field_name, query=query, reason=reason), best)
    return Found(statements, None, best)


def verified_statement(assistant: Assistant, ledger: Ledger, cand: compose.Candidate) -> Statement | None:
    """One candidate rendered as a sentence and passed through the citation verifier."""
    passage = Passage(1, cand.passage.chunk, cand.passage.score, cand.passage.dense)
    checked = verify(
        [f"{compose.render(cand)} [1]."], [passage], encode=assistant.embeddings.embed,
        make_citation=lambda n, p, u, s: assistant.citation(n, p, cand.unit, s),
    )
    if not checked.citations:
        return None
    return Statement(text=strip_markers(checked.text), citations=[ledger.add(checked.citations[0])])


def cited(text: str, *citations: Citation) -> Statement:
    """A statement built from cited cells (a table row or figure already quoted)."""
    return Statement(text=text, citations=list(citations))


def gap_statement(text: str) -> Statement:
    return Statement(text=text, gap=True)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """A light stemmer for matching word families ('improved'/'improvement', 'intervening'/'intervention')."""
    w = word.lower().replace("’", "'").removesuffix("'s")
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


_SUFFIXES = (
    ("ations", ""), ("ation", ""), ("ators", ""), ("ator", ""), ("ements", "e"), ("ement", "e"), ("ments", ""),
    ("ment", ""), ("tions", ""), ("tion", ""), ("ities", ""), ("ability", ""), ("ity", ""), ("able", ""), ("ings", ""), ("ing", ""),
    ("ies", "y"), ("ied", "y"), ("edly", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", ""),
)
_WORD = re.compile(r"[a-z0-9£]+(?:[.'’-][a-z0-9]+)*")
# Words that say where or how ambitious a goal is, or how it is counted, not what it is about.
GENERIC = frozenset(
    "make uk britain british country countries world oecd most every best mission missions government public "
    "ensure end improve better more all people rate rates level levels".split()
)


def content_lemmas(text: str) -> list[str]:
    """Lemmas of the content words of ``text`` (stop words dropped), in order."""
    from assistant.retrieval import STOPWORDS

    return [lemma(w) for w in _WORD.findall(text.lower().replace("’", "'")) if w not in STOPWORDS and len(w) > 1]


def key_lemmas(text: str) -> set[str]:
    """What a mission or topic is about: its content lemmas without the generic ambition words."""
    return {w for w in content_lemmas(text) if w not in _generic_lemmas()}


@lru_cache(maxsize=1)
def _generic_lemmas() -> frozenset[str]:
    return frozenset(lemma(g) for g in GENERIC)


_DF: weakref.WeakKeyDictionary[object, Counter[str]] = weakref.WeakKeyDictionary()


def document_frequency(assistant: Assistant) -> Counter[str]:
    """How many passages of the current index use each key lemma (computed once per index snapshot)."""
    retriever = assistant.retriever
    if retriever not in _DF:
        _DF[retriever] = Counter(w for c in retriever.chunks for w in key_lemmas(c.text))
    return _DF[retriever]


# -- the report's tables ------------------------------------------------------------------------
@dataclass(frozen=True)
class MissionCells:
    """One Table 3.1 column: the mission's goal (row 1) and its core metric (row 2)."""

    name: str
    goal: Passage
    metric: Passage


def _table_rows(assistant: Assistant, query: str) -> list[Passage]:
    # Every table row of the report fits in one retrieval (there are fifteen), so none is missed.
    passages, _ = assistant.retrieve(clean(query), k=40, source_ids=[report_id(assistant)], kinds=["table_row"])
    return passages


def missions(assistant: Assistant) -> dict[str, MissionCells]:
    """The report's missions from Table 3.1, keyed by column name ("Health", "Safety", ...)."""
    cells: dict[str, dict[int, Passage]] = {}
    for p in _table_rows(assistant, "four missions core measurement metric of success"):
        m = _COLUMN_CELL.match(p.chunk.locator)
        if m:
            cells.setdefault(m.group("mission"), {})[int(m.group("row"))] = p
    return {name: MissionCells(name, rows[1], rows[2]) for name, rows in cells.items() if 1 in rows and 2 in rows}


def shifts(assistant: Assistant) -> dict[str, Passage]:
    """The spending shift of Table 3.2 for each mission, keyed by mission name."""
    out: dict[str, Passage] = {}
    for p in _table_rows(assistant, "shift in spending pivot to prevention"):
        m = _SHIFT_ROW.match(p.chunk.locator)
        if m:
            out[m.group("mission")] = p
    return out


def match_mission(text: str, table: dict[str, MissionCells]) -> str | None:
    """The report mission ``text`` names ("Safety", "the health mission") or restates (its goal)."""
    words = set(terms(text)) - {"mission", "council", "uk", "britain"}
    for name in table:
        if words == {name.lower()} or words == set(terms(name)):
            return name
    for name, cells in table.items():
        goal = set(terms(cells.goal.chunk.text))
        if words and len(words & goal) / len(words | goal) >= 0.8:
            return name
    return None


def shift_sides(row_text: str) -> tuple[str, str]:
    """(from, to) of a Table 3.2 row: "Shift the balance of spending from X to Y." -> ("X", "Y")."""
    body = row_text.split("\t")[-1].strip().rstrip(".")
    m = re.search(r"\bfrom (?P<src>.+?)(?: and)? to (?P<dst>.+)$", body)
    if not m:
        return "", body
    return m.group("src").strip(" ,"), m.group("dst").strip(" ,")


def items(phrase: str) -> list[str]:
    """The items of an English list: "primary, community and social care" -> [...]."""
    parts = re.split(r",\s*|\s+and\s+|\s+as well as\s+", phrase)
    return [p.strip(" .") for p in parts if p.strip(" .")]


# -- LLM prose over the same evidence ----------------------------------------------------------
def write(
    assistant: Assistant, ledger: Ledger, prompt_name: str, values: dict[str, str], evidence: Iterable[Citation]
) -> tuple[list[Statement], list[RemovedSentence]]:
    """Prose from the configured chat model over the draft's cited passages, through the citation verifier.

    The model sees each passage under its draft number [n]; sentences it cannot support are kept but
    visibly marked (as in LLM answers) and listed as removed.
    """
    from assistant.chain import build_chain, format_passages
    from assistant.prompts import load_prompt

    assert assistant.llm is not None
    by_n: dict[int, Passage] = {}
    for c in evidence:
        chunk = assistant.retriever.by_id.get(c.chunk_id)
        if chunk is not None and c.n not in by_n:
            by_n[c.n] = Passage(c.n, chunk, 1.0, 1.0)
    passages = [by_n[n] for n in sorted(by_n)]
    text = build_chain(assistant.llm, load_prompt(prompt_name)).invoke({**values, "passages": format_passages(passages)})
    statements: list[Statement] = []
    removed: list[RemovedSentence] = []
    # One sentence at a time, so each Statement keeps exactly its own citations, numbered as in the draft.
    text = normalise_markers(text)
    for s, e in answer_sentences(text):
        checked = verify(
            text[s:e], passages, encode=assistant.embeddings.embed,
            make_citation=lambda n, p, u, sc: ledger.add(assistant.citation(n, p, u, sc)), keep_unsupported=True,
        )
        removed += checked.removed
        if checked.removed:
            statements += [Statement(text=checked.text, gap=True)] if checked.text else []
        elif checked.text:
            statements.append(Statement(text=strip_markers(checked.text), citations=checked.citations))
    return statements, removed
