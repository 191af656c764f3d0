"""Answering one question from one retrieval snapshot: refuse, compose (embedded) or generate (LLM), verify.

The facade validates the question and picks the snapshot; everything from scored units to the verified
Answer happens here, so drafting and the evals use the same steps as ``Assistant.ask``.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from assistant import citations, compose
from assistant.chain import generate
from assistant.citations import passage_units, verify
from assistant.prompts import load_prompt
from assistant.retrieval import HybridRetriever
from assistant.schemas import Answer, Chunk, Citation
from assistant.settings import Settings
from assistant.text import stance
from assistant.text.numbers import counts, gives_value, gives_year_since
from assistant.text.questions import (
    asks_for_amount,
    asks_for_count,
    asks_for_value,
    asks_since,
    asks_who,
    clauses,
    focus_words,
    named_words,
    span_of,
)
from assistant.text.sentences import is_list_item
from assistant.text.words import content_lemmas, terms
from assistant.types import Passage, Unit
from ingest.catalogue import Catalogue

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

REFUSAL = "The sources don't cover this question."
NOT_COVERED_LEAD = "The sources don't cover this part of the question:"
CitationMaker = Callable[[int, Passage, Unit, float], Citation]


class Citer:
    """Makes numbered Citations of stored passages, with each source's full reference and evidence."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def __call__(self, n: int, passage: Passage, unit: Unit, score: float) -> Citation:
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
            origin="user document" if chunk.origin == "user document" else "evidence note"
            if record is not None and record.kind == "evidence note" else "quote",
            basis=record.basis if record is not None and record.kind == "evidence note" else "",
        )

    def quoting(self, units: dict[int, Unit]) -> CitationMaker:
        """A maker that quotes the chosen unit of each numbered passage, whatever the verifier matched."""

        def make(n: int, passage: Passage, unit: Unit, score: float) -> Citation:
            return self(n, passage, units.get(passage.n, unit), score)

        return make


@functools.cache
def _source(part: object) -> str:
    # Read once per process: the code that runs is the code first loaded, and a draft check asks for the stance
    # version once per sentence (tokenizing the same sources each time took a quarter of its time).
    return inspect.getsource(part)  # type: ignore[arg-type]


def version_of(kind: str, settings: Settings, *parts: object) -> str:
    """A version string derived from what shapes the output: settings, step names and the code of the steps.

    Hand-edited versions went stale (one stayed '-v1' through ten composer changes); this one changes
    whenever any of ``parts`` (modules, functions, settings models, tuples of step names) changes.
    """
    digest = hashlib.sha256()
    for part in parts:
        if inspect.ismodule(part) or inspect.isfunction(part) or inspect.isclass(part):
            digest.update(_source(part).encode())  # type: ignore[arg-type]
        elif hasattr(part, "model_dump_json"):
            digest.update(part.model_dump_json().encode())
        else:
            digest.update(repr(part).encode())
    digest.update(settings.verify.model_dump_json().encode())
    return f"embedded-{kind}-{digest.hexdigest()[:10]}"


def embedded_version(settings: Settings) -> str:
    """The embedded answer's version: the composer's steps, its code and its settings."""
    return version_of("extractive", settings, compose.STEPS, settings.answer, compose, citations)


def scored_units(
    snapshot: HybridRetriever, question: str, vector: np.ndarray, passages: Sequence[Passage], settings: Settings
) -> list[compose.Candidate]:
    """Every quotable unit of the passages, scored against the question with the acronyms the sources define."""
    sentences = snapshot.sentences.of_chunks(p.chunk.id for p in passages)
    return compose.candidates(snapshot.expand(question), vector, passages, sentences, settings.answer)


class SnapshotLibrary:
    """compose.Library over one index snapshot: units of chunks that were not retrieved, scored like the rest."""

    def __init__(self, snapshot: HybridRetriever, question: str, vector: np.ndarray, settings: Settings) -> None:
        self.snapshot, self.question, self.vector, self.settings = snapshot, question, vector, settings

    def _units(self, chunks: Sequence[Chunk]) -> list[compose.Candidate]:
        rows = self.snapshot.rows
        passages = [Passage(0, c, 0.0, float(self.snapshot.matrix[rows[c.id]] @ self.vector)) for c in chunks]
        return scored_units(self.snapshot, self.question, self.vector, passages, self.settings)

    def table(self, chunk: Chunk) -> list[compose.Candidate]:
        label = compose.table_label(chunk)
        return self._units([c for c in self.snapshot.by_source.get(chunk.source_id, [])
                            if c.kind == "table_row" and compose.table_label(c) == label])


def refusal(
    question: str, standalone: str, passages: Sequence[Passage], pool: list[compose.Candidate], citer: Citer,
    *, unknown: Sequence[str] = (), mode: str, model: str | None, version: str,
) -> Answer:
    """The refusal, with the closest material (the best unit of each of the top three passages)."""
    closest: list[Citation] = []
    for passage in passages[:3]:
        units = [c for c in pool if c.passage.n == passage.n]
        best = max(units, key=lambda c: c.score) if units else None
        unit = best.unit if best else passage_units(passage)[0]
        closest.append(citer(len(closest) + 1, passage, unit, best.score if best else 0.0))
    text = REFUSAL if not unknown else f"{REFUSAL} They never mention {', '.join(repr(w) for w in unknown)}."
    return Answer(
        question=question, answer=text, refused=True, closest=closest, mode=mode,  # type: ignore[arg-type]
        model=model, prompt_version=version, standalone_question=standalone,
    )


def embedded(
    question: str, standalone: str, pool: list[compose.Candidate], citer: Citer, settings: Settings,
    encode: citations.Encoder, library: compose.Library, unknown: Sequence[str] = (), *, user_led: bool = False,
    subject: frozenset[str] = frozenset(), follow_up: bool = False, about_report: bool = False,
) -> Answer:
    """An answer composed of the sources' own structural units (compose.STEPS), each sentence cited and verified,
    laid out as Markdown: paragraphs, then bullets for list items and table cells; then what it does not cover."""
    # Our evidence notes summarise the works the report cites: where the report's own sentence also answers, it leads.
    summaries = frozenset(r.id for r in citer.catalogue.records if r.kind == "evidence note")
    composition = compose.compose(standalone, pool, library, settings.answer, user_led=user_led, summaries=summaries,
                                  subject=subject, follow_up=follow_up, about_report=about_report)
    missing = not_covered(standalone, composition, unknown, settings.answer.clause_cover)
    composition = on_covered_part(standalone, composition, missing)
    units = composition.units
    numbered = [Passage(i, c.passage.chunk, c.passage.score, c.passage.dense) for i, c in enumerate(units, 1)]
    draft = [f"{compose.render(c)} [{i}]." for i, c in enumerate(units, 1)]
    checked = verify(draft, numbered, encode=encode, make_citation=citer.quoting({i: c.unit for i, c in enumerate(units, 1)}),
                     settings=settings.verify)
    differs = differing(units, checked.kept, settings.answer.user_conflict_cover)
    text = layout(composition, checked.kept, differs)
    missing = missing if checked.citations else []
    if not checked.citations or _nothing_covered(standalone, unknown):
        # Every part of the question is missing from what the sources say: filler is no answer.
        return Answer(question=question, answer=REFUSAL, refused=True, removed=checked.removed, mode="embedded",
                      closest=checked.citations[:3], prompt_version=embedded_version(settings),
                      standalone_question=standalone, not_covered=missing)
    return Answer(
        question=question, answer=text + coverage_note(missing), refused=False,
        citations=checked.citations, removed=checked.removed, mode="embedded", not_covered=missing,
        prompt_version=embedded_version(settings), standalone_question=standalone,
        differs=[f"{c.passage.chunk.title}: {conflict.reason}" for c, conflict in differs.values()],
    )


# Plain text (no Markdown): the app escapes answers, and the CLI prints them as they are.
USER_DOCUMENTS_LEAD = "From your documents (not the report or its evidence):"
CATALOGUE_LEAD = "From the report and its evidence:"
USER_DOCUMENTS_DIFFER = ("Your documents say something different from the report. The passages above are the "
                         "report's and its evidence's; these are from documents you added:")


def differing(
    units: Sequence[compose.Candidate], kept: Sequence[str | None], cover: float
) -> dict[int, tuple[compose.Candidate, stance.Conflict]]:
    """The shown user-document units (by position) that say something different from a report or evidence-note
    sentence shown in the same answer about the same thing (compose.conflict_with). Issue 13: a user document never
    silently replaces the report's statement; the answer says they differ and shows both, labelled."""
    shown = [(i, c) for i, c in enumerate(units) if i < len(kept) and kept[i] is not None]
    catalogue = [c.unit.text for _, c in shown if not compose.is_users(c)]
    out: dict[int, tuple[compose.Candidate, stance.Conflict]] = {}
    for i, cand in shown:
        if compose.is_users(cand):
            conflict = compose.conflict_with(cand.unit.text, catalogue, cover)
            if conflict is not None:
                out[i] = (cand, conflict)
    return out


def layout(
    composition: compose.Composition, kept: Sequence[str | None],
    differs: dict[int, tuple[compose.Candidate, stance.Conflict]] | None = None,
) -> str:
    """Blocks as Markdown paragraphs; list items and table cells as bullets; removed sentences left out.

    A lone item with sub-items reads as a paragraph followed by its sub-items as bullets; a list of items,
    a table's cells (two or more: one row alone reads as a sentence), and sub-items are bullets. A single item
    shown alone reads as a sentence: one bullet out of its list says less than the sentence it is. The user's own documents come last (compose.catalogue_first)
    under a line saying so, which says too when they differ from the report (``differs``).
    """
    shown = iter(kept)
    parts: list[str] = []
    origin = "catalogue"  # what the text so far is from: an answer starts with the report's words unless labelled
    for block in composition.blocks:
        users = bool(block.chosen) and compose.is_users(block.chosen[0])
        if users and origin != "user":
            parts.append(USER_DOCUMENTS_DIFFER if differs and parts else USER_DOCUMENTS_LEAD)
            origin = "user"
        elif block.chosen and not users and origin == "user":
            parts.append(CATALOGUE_LEAD)
            origin = "catalogue"
        tops = sum(1 for c in block.chosen if is_list_item(c.unit.text) and not compose.is_sub_item(c))
        subs = sum(1 for c in block.chosen if compose.is_sub_item(c))
        prose: list[str] = []
        bullets: list[str] = []
        for cand in block.chosen:
            sentence = next(shown, None)
            if sentence is None:
                continue
            bullet = (block.kind == "table" and len(block.chosen) >= 2) or (
                compose.is_sub_item(cand) and (subs >= 2 or tops)) or (
                is_list_item(cand.unit.text) and not compose.is_sub_item(cand) and tops >= 2)
            if bullet:
                # Sub-items under items shown as bullets nest under them (Markdown: two spaces); under a lone
                # item shown as a paragraph they are the list.
                bullets.append(f"{'  ' if compose.is_sub_item(cand) and tops >= 2 else ''}- {sentence}")
            elif bullets:
                bullets[-1] += f" {sentence}"
            else:
                prose.append(sentence)
        lines = ([" ".join(prose)] if prose else []) + bullets
        if lines:
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


def not_covered(
    question: str, composition: compose.Composition, unknown: Sequence[str] = (), cover: float = 0.5
) -> list[str]:
    """The parts of the question the answer does not cover, in the question's own words.

    These parts are recognised, all conservatively (a wrong "not covered" misleads as much as filler):
    - a clause asking for a kind of value (questions.asks_for_value: an amount of money, 'what does it cost each year',
      'how much has the NHS spent on it'; a date, 'when was it published', 'when would they be set up'; a frequency,
      'how often did it meet'; a duration, 'how long would it take') when no shown sentence on the question (sharing
      one of its focus words) gives one (numbers.gives_value);
    - a clause naming something the sources never mention (``unknown``);
    and, in a question of several clauses one of which the answer covers:
    - a count no shown sentence gives and no shown passage names ('how many officials would deliver them');
    - who did or would do what no shown passage mentions ('who would certify it');
    - how something moved since a year no shown sentence speaks of ('how has that moved since 2019', when the sources
      give 2022 alone; see numbers.gives_year_since);
    - a clause of two or more focus words the shown passages mostly lack (less than ``cover`` of them: 'and which
      accounting standard would it follow?'), or whose own focus words (those no other clause has) they mostly lack,
      or a name only it asks about that they lack ('and what is it in Scotland?').
    Passages, not only the quoted sentences, are read, so a paraphrase in the passage around a quote is no gap.
    """
    # A value answers only from a sentence on the question: the Wigan Deal's £13 million is no budget for Greater
    # Manchester (the sentence shares none of the question's focus words).
    sentence_terms = [set(terms(c.unit.text)) for c in composition.units]
    asked = set(terms(" ".join(focus_words(question))))
    texts = [c.unit.text for c, held_terms in zip(composition.units, sentence_terms, strict=True) if asked & held_terms]
    shown = {t for c in composition.units for t in terms(c.passage.chunk.display_text)}
    parts = clauses(question)
    focus = [set(terms(" ".join(focus_words(clause)))) for clause in parts]

    def held(words: set[str]) -> float:  # the share of these focus words the passages hold
        return len(words & shown) / len(words) if words else 1.0

    shares = [held(words) for words in focus]
    answered = any(share >= cover for share in shares)
    out: list[str] = []
    for i, (clause, share) in enumerate(zip(parts, shares, strict=True)):
        words = len(focus[i])
        names = [w for w in unknown if w in clause]
        # What this clause asks about that the others do not ('and what is it in Scotland' -> scotland): when the
        # passages hold less than ``cover`` of it, the clause is not covered, however well its shared words are.
        own = focus[i] - set().union(*(f for j, f in enumerate(focus) if j != i))
        # One focus word the passages lack may be a paraphrase ('its overall verdict'): two or more are judged, and so
        # is a name the clause alone asks about ('Scotland'): the sources have no other word for a place or a person.
        own_names = own & set(terms(" ".join(named_words(clause))))
        # A year of its own counts as held only where a shown sentence gives it beside one of the clause's other words:
        # 'in 2010' of 'how many targets were there in 2010' is not held by a sentence on child poverty 'by 2010' (a
        # year is in many passages, about many things; a word is held anywhere in the passage, which may paraphrase).
        years_held = {t for s in sentence_terms if s & (focus[i] - own) for t in s & own if t.isdigit()}
        own_held = {t for t in own & shown if not t.isdigit()} | years_held
        lacking = len(parts) > 1 and answered and ((words >= 2 and share < cover) or (
            bool(own) and own != focus[i] and len(own_held) / len(own) < cover) or bool(own_names - shown))
        # 'what does it cost', 'when would they be set up', 'how often did it meet', 'how long would it take': no shown
        # sentence gives a value of that kind
        kind = asks_for_value(clause)
        valueless = kind is not None and not any(gives_value(kind, text) for text in texts)
        # 'how many civil servants would staff each one': no shown sentence counts civil servants, nor does any shown
        # passage name them (when it does, as Table 3.1 names each mission's core metrics, they may be counted there)
        wanted = asks_for_count(clause)
        uncounted = len(parts) > 1 and answered and bool(wanted) and not wanted & _counted(composition) \
            and not wanted <= _named(composition)
        # 'who would audit it': the one thing a 'who' clause asks about is done in no shown passage
        unnamed = len(parts) > 1 and answered and asks_who(clause) and words >= 1 and share == 0
        # 'how has that share changed since 2010': no shown sentence speaks of 2010 (a later year alone does not)
        since = asks_since(clause)
        unmoved = len(parts) > 1 and answered and since is not None and not any(
            gives_year_since(c.unit.text, since) for c in composition.units)
        if names or valueless or uncounted or unnamed or unmoved or lacking:
            # a date, count or actor asked for is named with its question ('when was it published', not 'published');
            # an amount by the words that ask for it ('running the mission councils cost each year')
            whole = ((valueless and not asks_for_amount(clause)) or uncounted or unnamed or unmoved) and not names
            out.append(clause if whole else span_of(clause, focus_words(clause)) or clause)
    return out


def on_covered_part(question: str, composition: compose.Composition, missing: Sequence[str]) -> compose.Composition:
    """The composition without the units that share no focus word with the clauses the sources cover, when some
    clause holds an uncovered part: units scored for the uncovered part are filler ('Budget efficiency: turning
    available budgets into the inputs' for 'how large is its devolved budget'). Unchanged when no clause is covered or
    nothing would be left."""
    parts = clauses(question)
    covered = [clause for clause in parts if not any(part in clause for part in missing)]
    if not missing or not covered or len(covered) == len(parts):
        return composition
    wanted = set(terms(" ".join(w for clause in covered for w in focus_words(clause))))
    blocks = [replace(block, chosen=kept) for block in composition.blocks
              for kept in [[c for c in block.chosen if wanted & set(terms(compose.render(c)))]] if kept]
    return compose.Composition(blocks) if blocks else composition


def _counted(composition: compose.Composition) -> set[str]:
    """Stems of what the shown sentences count ('12 civil servants' -> civil, servant); read only for a 'how many'
    clause, not on every answer."""
    return {w for c in composition.units for n in counts(c.unit.text) for w in n.words}


def _named(composition: compose.Composition) -> set[str]:
    """Content stems of the shown passages (a table naming each mission's core metrics may be counted there)."""
    return {w for c in composition.units for w in content_lemmas(c.passage.chunk.display_text)}


def _nothing_covered(question: str, unknown: Sequence[str]) -> bool:
    """Does every clause of the question name something the sources never mention? (A clause asking for an
    amount they do not give is still about something they cover: it is answered, with the gap said.)"""
    parts = clauses(question)
    return bool(parts) and all(any(w in clause for w in unknown) for clause in parts)


def coverage_note(missing: Sequence[str]) -> str:
    """The sentence the answer ends with when the sources cover only part of the question ('' when they cover all)."""
    if not missing:
        return ""
    parts = "; ".join(f"“{m}”" for m in missing)
    return f"\n\n{NOT_COVERED_LEAD} {parts}."


def whole_units(question: str, passages: Sequence[Passage], library: compose.Library) -> list[Passage]:
    """The passages a chat model sees, as whole structural units: a table asked for whole ('what are the four
    missions?') comes with all its rows, numbered after the retrieved passages, as the embedded answer shows it."""
    out = list(passages)
    if not compose.asks_for_list(question):
        return out
    seen = {p.chunk.id for p in out}
    for passage in list(out):
        if passage.chunk.kind != "table_row":
            continue
        for unit in library.table(passage.chunk):
            if unit.passage.chunk.id not in seen:
                seen.add(unit.passage.chunk.id)
                out.append(Passage(len(out) + 1, unit.passage.chunk, unit.passage.score, unit.passage.dense))
    return out


def with_llm(
    question: str, standalone: str, passages: Sequence[Passage], citer: Citer, settings: Settings,
    encode: citations.Encoder, llm: BaseChatModel, on_token: Callable[[str], None] | None,
) -> Answer:
    """The chat model's answer over the numbered passages, every sentence verified (unsupported ones marked)."""
    text = generate(llm, standalone, passages, on_token=on_token)
    checked = verify(text, passages, encode=encode, make_citation=citer, keep_unsupported=True, settings=settings.verify)
    refused = not checked.citations
    return Answer(
        question=question, answer=checked.text if not refused else REFUSAL, refused=refused,
        citations=checked.citations, removed=checked.removed, mode="llm", model=settings.llm,
        prompt_version=load_prompt("answer").version, standalone_question=standalone,
    )
