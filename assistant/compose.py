"""The embedded answer mode: an answer composed of the sources' own sentences, each cited, in their sources' shape.

No generative model runs here, so every sentence shown is a sentence (or a table row or figure caption,
rendered as a sentence) of a stored passage: grounded by construction. Sentence vectors were computed at
ingest, so composing costs dot products, not model calls.

The steps (STEPS) pick the best sentences and complete them: the items of a list a sentence announces, the
sentence one points back to, the figures a quantity question needs, every row of a table asked for whole.
Then the picks are grouped into the *blocks* of their sources (a paragraph, a list with its items, a table)
so the answer keeps the source's shape: lists stay Markdown bullets, table cells labelled lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from assistant.schemas import Chunk
from assistant.settings import AnswerSettings
from assistant.text import stance
from assistant.text.numbers import has_digit, numbers
from assistant.text.questions import (
    addressed_to_model,
    announces_list,
    asks_about_chart,
    asks_about_publication,
    asks_for_number,
    asks_for_proposal,
    asks_for_references,
    asks_for_several,
    clauses,
    ends_announcing,
    named_labels,
    signposts,
    states_duty,
)
from assistant.text.sentences import (
    is_list_item,
    leans_back,
    split_sentences,
    strip_bullet,
    strip_markers,
    without_addresses,
)
from assistant.text.words import content_lemmas, related, terms
from assistant.types import Passage, SentenceVectors, Unit
from ingest.chunking import FRONT_MATTER, chunk_label

# The composer's steps in the order the facade runs them; their names and the AnswerSettings are hashed
# into the embedded answer's version string (facade.embedded_version), so changing either changes it.
STEPS = ("candidates", "select", "with_continuation", "with_list_items", "list_answers", "with_antecedents", "with_numbers", "fit",
         "with_whole_list", "complete_table", "without_repeats", "layout", "verify", "coverage")
_EMPHASIS = re.compile(r"(?<!\w)\*([^*]+)\*(?!\w)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    """A unit of a passage that may go into the answer."""

    passage: Passage
    unit: Unit
    vector: np.ndarray
    cosine: float
    overlap: float
    score: float  # the sentence's own cosine, plus weighted term overlap and passage cosine (AnswerSettings)


def candidates(
    question: str, query_vector: np.ndarray, passages: Sequence[Passage], sentences: SentenceVectors,
    settings: AnswerSettings | None = None,
) -> list[Candidate]:
    """Every quotable unit of the retrieved passages, scored against the question."""
    settings = settings or AnswerSettings()
    wanted = {p.chunk.id: p for p in passages}
    wants_references = asks_for_references(question)
    about_publication = asks_about_publication(question)
    question_terms = set(terms(question))
    question_numbers = numbers(question)
    out = []
    for row, chunk_id in enumerate(sentences.chunk_ids):
        passage = wanted.get(chunk_id)
        if passage is None:
            continue
        chunk = passage.chunk
        start, end = int(sentences.starts[row]), int(sentences.ends[row])
        text = chunk.text[start - chunk.start : end - chunk.start]
        if not _answers_something(text, chunk.kind, wants_references, settings.min_words, about_publication):
            continue
        scope = chunk.display_text if chunk.kind in ("table_row", "figure") else f"{chunk.context}\n{text}"
        unit_terms = set(terms(scope))
        overlap = len(question_terms & unit_terms) / len(question_terms) if question_terms else 0.0
        if question_numbers and question_numbers & numbers(text):
            overlap = min(1.0, overlap + settings.number_bonus)
        vector = sentences.vectors[row]
        cosine = float(vector @ query_vector)
        score = cosine + settings.lexical_weight * overlap + settings.passage_weight * passage.dense
        out.append(Candidate(passage, Unit(start, end, text), vector, cosine, overlap, score))
    return out


def _answers_something(text: str, kind: str, wants_references: bool, min_words: int, about_publication: bool = False) -> bool:
    """Leave out units that cannot answer: rhetorical questions, bare labels, reference entries, a publisher's
    signposts ('For more information ..., please go to www.ippr.org'), and text addressed to an AI model ('ignore
    previous instructions'), which is data to quote, never an answer."""
    if kind == "reference" and not wants_references:
        return False
    if signposts(text) and not (wants_references or about_publication):
        return False
    if addressed_to_model(text):
        return False
    plain = without_addresses(text).strip().lstrip("-*• ").strip()  # a bare web address is no answer
    if plain.endswith("?") and kind not in ("list", "box", "table_row", "figure") and not text.lstrip().startswith("-"):
        return False
    return len(_WORD.findall(plain)) >= min_words or kind in ("table_row", "figure")


@dataclass(frozen=True)
class Focus:
    """What a question is about, so an answer's further units stay on it (issue 10: answer precision)."""

    terms: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()  # the labelled parts it names: 'table 2.1', 'figure 1.2'
    publication: bool = False  # it asks about the document itself: authors, date, citation, licence
    charts: bool = False  # it asks about a chart itself ('figure 1.3', 'the avoidable deaths chart')
    tables: frozenset[str] = frozenset()  # tables one of whose rows the question names by its label ('Opportunity')
    table: str = ""  # of those, the table whose named row scores best: its named rows lead the answer
    proposals: bool = False  # it asks what someone should do ('What should Ofsted do differently?')
    topic: frozenset[str] = frozenset()  # its terms with the words the sources use for them ('regulators' for Ofsted)
    topical: bool = False  # some unit giving a duty is on its topic: units giving duties off it are off
    single: bool = True  # it asks one thing (one clause, no list, no plural 'which ...s'): its best passage answers it
    subject: frozenset[str] = frozenset()  # a follow-up's own new terms ('a&e' in 'What about A&E?'): units naming them lead

    @classmethod
    def of(cls, question: str) -> Focus:
        return cls(frozenset(terms(question)), named_labels(question), asks_about_publication(question),
                   asks_about_chart(question), proposals=asks_for_proposal(question),
                   topic=frozenset(terms(" ".join([question, *related(question)]))),
                   single=len(clauses(question)) <= 1 and not asks_for_list(question)
                   and not asks_for_several(question))

    def further_floor(self, settings: AnswerSettings) -> float:
        """The share of the best score a unit of a passage not yet in the answer needs: ``passage_floor`` for a
        question asking one thing, ``relative_floor`` for one of several clauses or a list, whose parts may each
        need a passage of their own."""
        return settings.passage_floor if self.single else settings.relative_floor

    def on_topic(self, cand: Candidate) -> bool:
        return bool(self.topic & set(terms(cand.unit.text)))

    def naming_rows(self, pool: Sequence[Candidate]) -> Focus:
        """This focus with the tables of ``pool`` one of whose rows the question names by its label."""
        named = [c for c in pool if self.names_row(c)]
        best = max(named, key=lambda c: c.score, default=None)
        return replace(self, tables=frozenset(table_label(c.passage.chunk) for c in named),
                       table=table_label(best.passage.chunk) if best else "")

    def names_subject(self, cand: Candidate) -> bool:
        return bool(self.subject & set(terms(cand.unit.text)))

    def names_row(self, cand: Candidate) -> bool:
        row = _row_label(cand)
        return bool(row) and row <= self.terms

    def answered_by(self, cand: Candidate) -> bool:
        """Is ``cand`` a row the question names of the table that answers it best (such rows lead, floors aside)?"""
        return bool(self.table) and table_label(cand.passage.chunk) == self.table and self.names_row(cand)


def _row_label(cand: Candidate) -> frozenset[str]:
    """The terms of a table cell's label: its row's first cell ('Regulation', 'Health'), or for a table laid out by
    columns (Table 3.1, one mission a column) its column's head ('Opportunity'); empty for other units."""
    chunk, text = cand.passage.chunk, cand.unit.text
    if chunk.kind != "table_row":
        return frozenset()
    return frozenset(terms(text.split("\t", 1)[0] if "\t" in text else _column(chunk.context)))


def front_matter(chunk: Chunk) -> bool:
    """Is ``chunk`` the document's front matter (citation line, licence, publisher's blurb), not its argument?"""
    return chunk.section.startswith(FRONT_MATTER)


_PROSE = ("text", "list", "box")  # chunk kinds of running prose; table rows and figures keep their own rules


def off_focus(cand: Candidate, focus: Focus, settings: AnswerSettings) -> bool:
    """Is ``cand`` off what the question asks? Five rules, each a structure an
    adviser would use too (issue 10: answers padded with neighbouring passages):

    - the question names a labelled part ('Table 2.1', 'figure 1.2'): other parts of that kind, and sentences
      pointing only to them ('... set out in figure 2.2'), are off;
    - front matter (citation line, licence, address) answers only questions about the document itself, or one
      whose terms it mostly holds (``front_matter_overlap``);
    - a figure's title and source line answer only a question about the chart itself (``Focus.charts``): they
      describe a chart the answer cannot show, so for 'how many deaths could have been avoided?' they are a
      heading, not a finding (issue 10: 'lists figure titles instead of findings');
    - the question names a table row by its label ('the equivalent shift for Opportunity', 'the downside of
      regulation in Table 2.1'): that table's other rows are off (a question asking for the whole table gets
      every row later: complete_table);
    - the question asks what someone should do ('What should Ofsted and the CQC do differently?'): prose that
      gives no one a duty is off, however many of its words it shares ('This includes the Care Quality Commission
      (CQC) ... and Ofsted'), and so is a table row the question neither names nor finds by its table's label; the items of a recommendation's list come with it later (with_list_items). When no
      unit gives a duty, the rule is dropped (``select``); when some unit giving a duty names what the question
      asks about or the sources' words for it ('regulators' for Ofsted), units naming neither are off too.

    A further rule was measured and not kept (CHANGELOG): a further passage must hold nearly the lead's share of the
    question's terms. It lifted answer precision most, but cost key facts on the held-out set.
    """
    chunk = cand.passage.chunk
    kinds = {named.split()[0] for named in focus.labels}
    label = chunk_label(chunk)
    if label and label.split()[0] in kinds and label not in focus.labels:
        return True
    cited = {named for named in named_labels(cand.unit.text) if named.split()[0] in kinds}
    if cited and not cited & focus.labels:  # 'This is set out in more detail in figure 2.2.' for figure 1.2
        return True
    if front_matter(chunk) and not focus.publication and cand.overlap < settings.front_matter_overlap:
        return True
    if chunk.kind == "figure" and not focus.charts and not focus.labels:
        return True
    if focus.proposals and not states_duty(cand.unit.text) and (
        chunk.kind in _PROSE or (chunk.kind == "table_row" and not focus.labels and not focus.names_row(cand))
    ):
        return True
    if focus.topical and chunk.kind in _PROSE and not focus.on_topic(cand):
        return True  # 'the centre should shift away from targets' for 'What should Ofsted and the CQC do?'
    return chunk.kind == "table_row" and table_label(chunk) in focus.tables and not focus.names_row(cand)


def select(
    pool: list[Candidate], limit: int, settings: AnswerSettings | None = None, focus: Focus | None = None,
    further: float | None = None,
) -> list[Candidate]:
    """The best candidate first, then others close to it in score, on the question's focus (``off_focus``, when
    one is given) and not redundant with those chosen. ``further``: the share of the best score a unit of a passage
    not yet chosen needs (an answer's ``passage_floor``); by default ``relative_floor``, as for every unit."""
    settings = settings or AnswerSettings()
    further = settings.relative_floor if further is None else further
    ranked = sorted(pool, key=lambda c: (-c.score, c.passage.n, c.unit.start))
    on_focus = ranked

    def on(f: Focus) -> list[Candidate]:
        return [c for c in ranked if not off_focus(c, f, settings)]

    if focus is not None:
        focus = focus.naming_rows(pool)
        on_focus = on(focus)
        if focus.proposals and not any(states_duty(c.unit.text) for c in on_focus):
            focus = replace(focus, proposals=False)  # no unit says what anyone should do: answer what is there
            on_focus = on(focus)
        elif focus.proposals and any(focus.on_topic(c) for c in on_focus):
            focus = replace(focus, topical=True)  # duties of the bodies asked about: others' duties are off
            on_focus = on(focus)
        if not on_focus:
            focus, on_focus = None, ranked  # nothing on the focus: the best units answer as they are (or it refuses)
        else:  # a table cell the question names by its label ('the Opportunity mission') is the answer: it leads;
            # so does a unit naming what a follow-up asks about ('What about A&E?'), when one does
            named = focus if any(focus.names_subject(c) for c in on_focus) else replace(focus, subject=frozenset())
            ranked.sort(key=lambda c: (not named.answered_by(c), not named.names_subject(c)))
    # Floors are shares of the best score on the question's focus (a named cell may lead with less).
    best = max((c.score for c in on_focus), default=0.0)
    chosen: list[Candidate] = []
    for cand in ranked:
        if len(chosen) >= limit:
            break
        if chosen and cand.score < settings.relative_floor * best and not (focus is not None and focus.answered_by(cand)):
            continue
        if chosen and cand.score < further * best and not any(
            _one_unit(c, cand) for c in chosen
        ) and not (focus is not None and focus.answered_by(cand)):
            # A further passage must answer nearly as well as the lead; the structural units already in the answer
            # may go on (a passage, a box in parts), and a table row the question names by its label ('how does
            # regulation compare?') answers by structure.
            continue
        if focus is not None and off_focus(cand, focus, settings):
            continue
        # Cells of one table column share their headers, hence nearly the same vector: compare their text.
        same = next((i for i, other in enumerate(chosen) if (
            cand.passage.chunk.kind != "table_row" and float(cand.vector @ other.vector) > settings.redundant_cosine
        ) or _same_words(cand.unit.text, other.unit.text, settings.same_words_share)), None)
        if same is None:
            chosen.append(cand)
        elif _fuller(cand, chosen[same]):
            chosen[same] = cand  # of two near-duplicates, the fuller (the chapter's recommendation with its list)
    return chosen


def _fuller(cand: Candidate, other: Candidate) -> bool:
    """Does ``cand`` say what ``other`` says and more: it announces a list ('... offer support including:') where
    ``other``, the summary's shorter restatement, announces none?"""
    return _announces(cand) and not _announces(other)


def _one_unit(a: Candidate, b: Candidate) -> bool:
    """Are ``a`` and ``b`` in one structural unit of their source: one passage, or parts of one box?"""
    x, y = a.passage.chunk, b.passage.chunk
    return x.id == y.id or (x.kind == y.kind == "box" and x.source_id == y.source_id and chunk_label(x) == chunk_label(y) != "")


# -- structural blocks ------------------------------------------------------------------------------
_TOP_BULLET = re.compile(r"[-*•]\s")
_SUB_BULLET = re.compile(r"\s+[-*•]\s")
class Library(Protocol):
    """Scored units of chunks that were not retrieved, for completing what was (a table's other rows)."""

    def table(self, chunk: Chunk) -> list[Candidate]: ...


@dataclass
class Block:
    """A structural unit of a source (a paragraph, a list with its items, a table, a figure): its units in reading
    order, and those of them the answer shows."""

    key: tuple[str, int]
    kind: str  # prose | list | table | figure
    members: list[Candidate]
    chosen: list[Candidate] = field(default_factory=list)


def block_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the blocks of a chunk's text, offsets relative to the text.

    A blank line ends a paragraph; a top-level bullet starts an item that keeps its indented sub-items;
    a paragraph whose last sentence announces a list ('... three criteria:', 'a number of lessons')
    keeps the bullets that follow it, across blank lines.
    """
    out: list[tuple[int, int, str]] = []
    start: int | None = None
    kind, bullets_seen, pos = "prose", False, 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        top, bullet = bool(_TOP_BULLET.match(line)), bool(_TOP_BULLET.match(line) or _SUB_BULLET.match(line))
        if not stripped:
            if start is not None and kind != "announces":
                out.append((start, pos, _kind(kind)))
                start = None
            pos += len(line)
            continue
        if start is not None:
            ends = (
                (kind == "announces" and not bullet and bullets_seen)
                or (kind == "announces" and not bullet and text[start:pos].endswith("\n\n"))
                or (kind == "item" and top)
                or (kind == "prose" and bullet)
            )
            if ends:
                out.append((start, pos, "list" if kind == "announces" and bullets_seen else _kind(kind)))
                start = None
        if start is None:
            start, bullets_seen = pos, False
            kind = "item" if bullet else _paragraph_kind(stripped)
        elif kind == "announces" and bullet:
            bullets_seen = True
        elif kind == "prose" and _paragraph_kind(stripped) == "announces":
            kind = "announces"
        pos += len(line)
    if start is not None:
        out.append((start, pos, "list" if kind == "announces" and bullets_seen else _kind(kind)))
    return [(s, e, k) for s, e, k in out if text[s:e].strip()]


def _paragraph_kind(line: str) -> str:
    return "announces" if announces_list(split_last_sentence(line)) else "prose"


def _kind(kind: str) -> str:
    return {"announces": "prose", "item": "list"}.get(kind, kind)


def split_last_sentence(paragraph: str) -> str:
    spans = split_sentences(paragraph)
    return paragraph[spans[-1][0] : spans[-1][1]] if spans else paragraph


def table_label(chunk: Chunk) -> str:
    """The label a table row's chunk carries first in its headers ('TABLE 3.1'): rows sharing it form one table."""
    return chunk.context.split("\n", 1)[0].strip()


def blocks(pool: list[Candidate]) -> list[Block]:
    """The candidates grouped into their source's blocks (a table's rows form one block)."""
    grouped: dict[tuple[str, int], Block] = {}
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for cand in sorted(pool, key=lambda c: (c.passage.chunk.source_id, c.passage.chunk.seq, c.unit.start)):
        chunk = cand.passage.chunk
        if chunk.kind == "table_row":
            label = table_label(chunk) or chunk.id
            key, kind = (f"table:{chunk.source_id}:{label}", 0), "table"
        elif chunk.kind == "figure":
            key, kind = (chunk.id, 0), "figure"
        else:
            if chunk.id not in spans:
                spans[chunk.id] = block_spans(chunk.text)
            offset = cand.unit.start - chunk.start
            index = next((i for i, (s, e, _) in enumerate(spans[chunk.id]) if s <= offset < e), len(spans[chunk.id]))
            kind = spans[chunk.id][index][2] if index < len(spans[chunk.id]) else "prose"
            key = (chunk.id, index)
        grouped.setdefault(key, Block(key, kind, [])).members.append(cand)
    return list(grouped.values())


def _before_on_line(cand: Candidate) -> str:
    """The unit's source line up to the unit (unit texts are stripped: an item's indent and bullet stay here)."""
    chunk = cand.passage.chunk
    at = cand.unit.start - chunk.start
    return chunk.text[chunk.text.rfind("\n", 0, at) + 1 : at]


def is_sub_item(cand: Candidate) -> bool:
    """An indented bullet: the source line holds only white space before it."""
    indent = _before_on_line(cand)
    return bool(indent) and not indent.strip() and is_list_item(cand.unit.text)


def asks_for_list(question: str) -> bool:
    """'What are the four missions?', 'Which levers...', 'List the ...', 'what makes them work?' (its factors): the
    answer is a whole list."""
    return bool(_ASKS_FOR_LIST.search(question))


_ASKS_FOR_LIST = re.compile(
    r"\b(?:what are the|what makes|list|name the|all the|each of the|(?:two|three|four|five|six|seven|eight) (?!years?\b|months?\b|"
    r"weeks?\b|days?\b|times?\b|per\b)\w+)\b", re.I
)


@dataclass(frozen=True)
class Composition:
    """The units to show in order, grouped into the blocks of their sources (for layout)."""

    blocks: list[Block]

    @property
    def units(self) -> list[Candidate]:
        return [c for b in self.blocks for c in b.chosen]


def compose(
    question: str, pool: list[Candidate], library: Library, settings: AnswerSettings, *, user_led: bool = False,
    summaries: frozenset[str] = frozenset(), subject: frozenset[str] = frozenset(), follow_up: bool = False,
    about_report: bool = False,
) -> Composition:
    """The composer's steps (STEPS) in order: the best sentences, completed (lists, antecedents, figures, a
    table asked for whole), then grouped into their source blocks so lists and tables keep their shape.

    ``user_led``: the question names what only the user's documents name, so their sentences may lead; otherwise
    the report and its evidence lead whenever they answer at all (select_by_origin, catalogue_first).
    ``subject``: a follow-up's own new terms (conversation.new_subject): a unit naming them leads.
    ``about_report``: the question names the report ('What does the report say about targets?'): its own words lead
    whenever they are shown (source_first).
    ``follow_up``: the question leans on the conversation (rewritten from it, or carrying a pronoun after earlier
    turns: 'Which school of thought is that study part of?'), so the passage scoring best on its words may answer the
    earlier turn: it is not held to one passage (``Focus.single``).
    """
    order = (lambda units: units) if user_led else catalogue_first
    focus = replace(Focus.of(question), subject=subject)
    if follow_up:
        focus = replace(focus, single=False)
    picks = order(select_by_origin(pool, settings, focus, user_led=user_led))
    chosen = with_continuation(picks, pool)
    chosen = with_list_items(chosen, pool, extra=settings.list_items)
    chosen = list_answers(question, chosen)
    chosen = with_antecedents(chosen, pool)
    chosen = with_numbers(question, chosen, pool)
    if user_led:
        chosen = fit(chosen, picks, settings.max_sentences, settings.completing_extra)
    else:  # the user's few units are their own section: completing the report's answer never pushes them out
        chosen = fit([c for c in chosen if not is_users(c)], picks, settings.max_sentences, settings.completing_extra) \
            + [c for c in chosen if is_users(c)]
    chosen = with_whole_list(question, chosen, pool, settings.list_items)
    chosen = complete_table(question, chosen, library)
    chosen = without_repeats(chosen, picks, settings.same_words_share)
    return Composition(source_first(group(order(chosen)), summaries, question, about_report=about_report))


def list_answers(question: str, chosen: list[Candidate]) -> list[Candidate]:
    """A question asking for a list ('What three criteria make up the mission test?') answered by the list its lead
    announces, items and all, needs nothing more: what follows the list is padding (issue 10). Only for a question
    of one clause: 'What are the three p's, and what does productivity mean?' asks for more than a list."""
    if not chosen or not asks_for_list(question) or len(clauses(question)) > 1:
        return chosen
    lead = chosen[0]
    head = next((i for i, c in enumerate(chosen[:2]) if _announces(c) and _one_unit(c, lead)), None)
    if head is None:
        return chosen
    items = 0
    for cand in chosen[head + 1:]:
        if not _is_item(cand):
            break
        items += 1
    if items < 2:
        return chosen
    return chosen[: head + 1 + items]


def without_repeats(chosen: list[Candidate], picks: Sequence[Candidate], share: float) -> list[Candidate]:
    """Leave out a further pick that says nothing the units before it have not said: its terms are all but
    (``share``) in theirs ('…ensuring all spending is: affordable, mission critical and long term (10-year test)'
    after the report's mission test and its three criteria). ``select`` compares unit with unit; this compares a
    unit with everything shown before it, lists and completions included. A pick something after it points back
    to stays."""
    pick_ids = {id(c) for c in picks}
    seen: set[str] = set()
    out: list[Candidate] = []
    for i, cand in enumerate(chosen):
        words = set(content_lemmas(cand.unit.text))  # stems: 'affordable' is said by 'Affordability'
        later = chosen[i + 1] if i + 1 < len(chosen) else None
        anchors = later is not None and _is_antecedent(cand, later)
        if out and id(cand) in pick_ids and words and not anchors and len(words & seen) / len(words) > share:
            continue
        seen |= words
        out.append(cand)
    return out


def is_users(cand: Candidate) -> bool:
    """Is this unit from a document the user added (not the report or its evidence)?"""
    return cand.passage.chunk.origin == "user document"


def select_by_origin(
    pool: list[Candidate], settings: AnswerSettings, focus: Focus | None = None, *, user_led: bool = False
) -> list[Candidate]:
    """``select`` over the report and its evidence first, then a few of the user's documents' units after them.

    When the catalogue answers at all (its best unit clears the refusal floor), its units are chosen against its
    own best, so no user document can crowd them out by scoring higher (a keyword-stuffed upload copying the
    question's words). Then at most ``user_units`` of the user's units that score ``relative_floor`` of the
    catalogue's best follow, those saying something different from the catalogue's picks first (the answer then
    says so). When the catalogue does not answer, or the question is about a user document (``user_led``), all
    units compete as one pool.
    """
    catalogue = [c for c in pool if not is_users(c)]
    further = focus.further_floor(settings) if focus is not None else settings.passage_floor
    picks = select(catalogue, settings.max_sentences, settings, focus, further)
    if user_led or not picks or picks[0].score < settings.refusal_threshold:
        return select(pool, settings.max_sentences, settings, focus, further)
    floor = settings.relative_floor * picks[0].score
    users = select([c for c in pool if is_users(c) and c.score >= floor], settings.max_sentences, settings, focus,
                   further)
    said = [c.unit.text for c in picks]
    users.sort(key=lambda c: conflict_with(c.unit.text, said, settings.user_conflict_cover) is None)
    return picks + users[: settings.user_units]


def conflict_with(text: str, catalogue: Sequence[str], cover: float) -> stance.Conflict | None:
    """What ``text`` (a user document's sentence) says differently from the catalogue sentence it is about, or None.

    "About" is the stance engine's alignment: the catalogue sentence (or two adjacent ones) holding the largest
    share of the sentence's topic words, at least ``cover`` of them.
    """
    if not catalogue:
        return None
    start, end, share = stance.align(text, catalogue)
    if share < cover:
        return None
    return stance.compare(text, " ".join(catalogue[start:end]))


def source_first(shown: list[Block], summaries: frozenset[str], question: str = "", *, about_report: bool = True) -> list[Block]:
    """When the answer opens with one of our evidence notes (``summaries``: our words about a work, not the work's)
    and the report's own words also answer, the report's first block leads instead: an adviser quotes the report,
    and the note follows as what it rests on. The report's block answers too when it restates the note's lead (a
    figure of it, or half its words: 'Public sector productivity increased by an average of 0.7 per cent per year')
    or holds half the question's terms; a block that only passed the floor ('Just spending more money on the same
    model …' for 'What share were satisfied with the NHS in 2022?') does not lead, unless the question names the
    report (``about_report``: it asks what the report says). Whole blocks move (a list keeps its items); nothing is
    added or lost."""
    def summary(block: Block) -> bool:
        return bool(block.chosen) and block.chosen[0].passage.chunk.source_id in summaries

    if not shown or not summary(shown[0]):
        return shown
    own = next((b for b in shown if b.chosen and not summary(b) and not is_users(b.chosen[0])), None)
    if own is None or not (about_report or _also_answers(own, shown[0], question)):
        return shown
    return [own, *(b for b in shown if b is not own)]


def _also_answers(own: Block, note: Block, question: str) -> bool:
    """Does the report's block ``own`` say what the note's lead says, or answer the question as well?"""
    said = " ".join(c.unit.text for c in own.chosen)
    lead = note.chosen[0].unit.text
    if numbers(lead, years=False) & numbers(said):  # a figure of the note's lead; a year alone dates, not restates
        return True
    lead_terms, said_terms = set(terms(lead)), set(terms(said))
    if lead_terms and len(lead_terms & said_terms) >= 0.5 * len(lead_terms):
        return True
    asked = set(terms(question))
    return not asked or len(asked & said_terms) >= 0.5 * len(asked)


def catalogue_first(units: list[Candidate]) -> list[Candidate]:
    """The catalogue's units (the report, evidence notes) first, then those of user documents, each in its order.

    A user document never leads an answer the catalogue can answer (issue 13: an upload posing as the report led
    answers to report questions); when it says something else, it follows, cited as "Your document: <file name>".
    Applied to the picks before they are completed, so the lead's list items and antecedents are the
    catalogue's, and ``fit`` drops the user documents' blocks first.
    """
    return [c for c in units if not is_users(c)] + [c for c in units if is_users(c)]


def complete_table(question: str, chosen: list[Candidate], library: Library) -> list[Candidate]:
    """A question asking for a whole list ('what are the four missions?') answered from a table gets every row
    of that table, in the table's order, where its first row stood."""
    if not asks_for_list(question):
        return chosen
    rows = [c for c in chosen if c.passage.chunk.kind == "table_row"]
    if not rows:
        return chosen
    first = rows[0]
    label = table_label(first.passage.chunk)
    table = sorted(library.table(first.passage.chunk), key=lambda c: (c.passage.chunk.seq, c.unit.start))
    if len(table) <= 1:
        return chosen
    same = {c.passage.chunk.id for c in table}
    out: list[Candidate] = []
    for cand in chosen:
        if cand is first:
            out += table
        elif not (cand.passage.chunk.id in same and table_label(cand.passage.chunk) == label):
            out.append(cand)
    return out


def group(chosen: list[Candidate]) -> list[Block]:
    """Consecutive units of one source block form one shown block (a list keeps its items together)."""
    keys = {id(c): b.key for b in blocks(chosen) for c in b.members}
    kinds = {b.key: b.kind for b in blocks(chosen)}
    out: list[Block] = []
    for cand in chosen:
        key = keys[id(cand)]
        previous = out[-1].chosen[-1] if out else None
        follows_on = previous is not None and leans_back(cand.unit.text) and not _is_item(cand) \
            and previous.passage.chunk.id == cand.passage.chunk.id and previous.unit.end <= cand.unit.start
        # The items of one list stay one list after their announcement, also where the list runs on into the next
        # chunk (a box in parts): each item is a block of its own in its chunk.
        list_goes_on = previous is not None and _is_item(cand) and (out[-1].kind == "list" or _announces(previous)) \
            and previous.passage.chunk.source_id == cand.passage.chunk.source_id \
            and cand.passage.chunk.seq - previous.passage.chunk.seq in (0, 1) and previous.unit.end <= cand.unit.start
        if out and (out[-1].key == key or follows_on or list_goes_on):
            out[-1].chosen.append(cand)
            out[-1].members.append(cand)
            if list_goes_on:
                out[-1].kind = "list"
        else:
            out.append(Block(key, kinds[key], [cand], [cand]))
    for block in out:  # a block reads in the source's order: a list's announcement before its items
        if block.kind == "list":
            block.chosen.sort(key=lambda c: (c.passage.chunk.seq, c.unit.start))
    return out


def _on_item_line(cand: Candidate) -> bool:
    """Is the unit on a list item's line (the item's opening sentence, or one continuing it)?"""
    return is_list_item(_before_on_line(cand) + cand.unit.text[:1])


def _same_line(head: Candidate, more: Candidate) -> bool:
    """Is ``more`` a later sentence on ``head``'s line of the same chunk (the rest of a list item)?"""
    chunk = head.passage.chunk
    return more.passage.chunk.id == chunk.id and head.unit.start < more.unit.start and \
        "\n" not in chunk.text[head.unit.start - chunk.start : more.unit.start - chunk.start]


def whole_list(item: Candidate, pool: list[Candidate], limit: int) -> list[Candidate]:
    """The announced list ``item`` belongs to, as the announcement and each item's opening sentence. The list may run
    across chunks (a box in parts); only retrieved units are used. Empty when ``item`` is in no announced list.

    Measured and not kept: also bringing the list when its announcement holds as much of the question as the item
    ('... a number of lessons on what makes them effective' for 'what makes them work?'): gold-v1 key facts 0.901 ->
    0.910, gold-v2 (held out) key facts 0.776 -> 0.785 and list completeness 0.811 -> 0.830, but v2 answer precision
    0.454 -> 0.447, below its gate (each part of a box in parts counts as a unit)."""
    source = item.passage.chunk.source_id
    same = {c.unit.start: c for c in pool if c.passage.chunk.source_id == source}
    ordered = [same[k] for k in sorted(same)]
    at = next((i for i, c in enumerate(ordered) if c.unit.start == item.unit.start), None)
    if at is None:
        return []
    heads, announcement = [item], None
    for cand in reversed(ordered[:at]):
        if _on_item_line(cand):
            if _is_item(cand) and not is_sub_item(cand):
                heads.insert(0, cand)
            continue
        announcement = cand
        break
    for cand in ordered[at + 1 :]:
        if not _on_item_line(cand):
            break
        if _is_item(cand) and not is_sub_item(cand):
            heads.append(cand)
    if announcement is None or len(heads) < 2 or not _announces(announcement):
        return []
    return [announcement, *heads[:limit]]


def with_whole_list(question: str, chosen: list[Candidate], pool: list[Candidate], limit: int) -> list[Candidate]:
    """A chosen list item brings its whole list where the question asks for the list (``whole_list``), in the
    item's place: 'what are the lessons ...?' gets the five lessons, not the one that scored highest. Like a table asked
    for whole (complete_table), it runs after ``fit``: a list is one structural unit, never cut to fit. Only for a
    question asking for a list ('what are the...', 'which three ...'); ``whole_list`` notes a wider rule measured
    and not kept."""
    if not asks_for_list(question):
        return chosen
    out: list[Candidate] = []
    placed: set[tuple[str, int]] = set()
    for cand in chosen:
        block = whole_list(cand, pool, limit) if _is_item(cand) and not is_sub_item(cand) else []
        if block:
            # A chosen sentence continuing one of the list's items ('This may drive political consensus, but ...')
            # stays right after its item's opening, never alone after the list with its 'This' unexplained.
            for more in chosen:
                owner = next((h for h in block[1:] if _same_line(h, more)), None)
                if owner is not None and not _is_item(more):
                    block.insert(block.index(owner) + 1, more)
        for unit in block or [cand]:
            key = (unit.passage.chunk.id, unit.unit.start)
            if key not in placed:
                placed.add(key)
                out.append(unit)
    return out


def with_list_items(chosen: list[Candidate], pool: list[Candidate], extra: int = 6) -> list[Candidate]:
    """After a sentence that announces a list ("This should include three criteria."), add the items.

    The announcement may be the chosen sentence itself or the one right after it.
    """
    out: list[Candidate] = []
    taken = {(c.passage.chunk.id, c.unit.start) for c in chosen}
    placed: set[tuple[str, int]] = set()
    for cand in chosen:
        if (cand.passage.chunk.id, cand.unit.start) in placed:
            continue  # an item chosen on its own, already shown in its list
        out.append(cand)
        siblings = _following(cand, pool)
        if not _announces(cand) and siblings and _announces(siblings[0]) and not _is_item(siblings[0]):
            lead = siblings.pop(0)
            unshown = [c for c in siblings if not (_on_item_line(c) and not _is_item(c))][:1]
            has_items = bool(unshown) and _is_item(unshown[0])
            if (lead.passage.chunk.id, lead.unit.start) not in taken:
                if not has_items and ends_announcing(lead.unit.text):
                    # An announcement ending on its list comes only with its items: 'we recommend the following.'
                    # whose list is in a passage not retrieved would announce nothing (issue 10: 'This has included
                    # the following').
                    continue
                taken.add((lead.passage.chunk.id, lead.unit.start))
                out.append(lead)
        elif not _announces(cand):
            continue
        elif siblings and not _is_item(siblings[0]) and leans_back(siblings[0].unit.text):
            # "... underpinned by three fundamental needs. These are the pursuit of: competence, ..."
            spelled_out = siblings.pop(0)
            if (spelled_out.passage.chunk.id, spelled_out.unit.start) not in taken:
                taken.add((spelled_out.passage.chunk.id, spelled_out.unit.start))
                out.append(spelled_out)
        later = {(c.passage.chunk.id, c.unit.start) for c in chosen[chosen.index(cand) + 1:]}
        # An item's opening sentence is what it lists; its further sentences on the item's line are skipped, not an
        # end of the list ('- Prime ministerial commitment: ... . This is largely a product of PM involvement.').
        items = [c for c in siblings if not (_on_item_line(c) and not _is_item(c))]
        for item in items[:extra]:
            if not _is_item(item):
                break
            key = (item.passage.chunk.id, item.unit.start)
            if key not in taken or (key in later and key not in placed):
                # An item also chosen on its own for a later place is shown here, in its list, not after it.
                taken.add(key)
                placed.add(key)
                out.append(item)
    return out


def with_numbers(question: str, chosen: list[Candidate], pool: list[Candidate]) -> list[Candidate]:
    """For a question asking for a quantity, follow a number-less sentence with the next one if it has numbers.

    "Rewards ... all reduced free-choice intrinsic motivation." is the sentence that matches; the
    figures are in the next: "The effect sizes were d = -0.40, -0.36 and -0.28 respectively."
    """
    if not asks_for_number(question) or any(has_digit(c.unit.text) for c in chosen[:1]):
        return chosen
    out: list[Candidate] = []
    taken = {(c.passage.chunk.id, c.unit.start) for c in chosen}
    for cand in chosen:
        out.append(cand)
        if has_digit(cand.unit.text):
            continue
        after = [c for c in _following(cand, pool) if c.passage.chunk.id == cand.passage.chunk.id][:1]
        if after and has_digit(after[0].unit.text) and (after[0].passage.chunk.id, after[0].unit.start) not in taken:
            taken.add((after[0].passage.chunk.id, after[0].unit.start))
            out.append(after[0])
    return out


def fit(ordered: list[Candidate], picks: list[Candidate], limit: int, extra: int = 3) -> list[Candidate]:
    """About ``limit`` sentences: list items and linked sentences may add ``extra`` more (a list's items count as
    one, so a whole list is never what pushes the answer over); past that the weakest picks go, each with what was
    added to complete it. The lead is always kept whole."""
    pick_ids = {id(c) for c in picks}
    blocks: list[list[Candidate]] = []
    for i, cand in enumerate(ordered):
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        leads_into_pick = (
            id(cand) not in pick_ids and nxt is not None and id(nxt) in pick_ids
            and nxt.passage.chunk.id == cand.passage.chunk.id and nxt.unit.start > cand.unit.start
        )
        if not blocks or (id(cand) in pick_ids and not _is_antecedent(blocks[-1][-1], cand)) or leads_into_pick:
            blocks.append([cand])
        else:
            blocks[-1].append(cand)
    def size(block: list[Candidate]) -> int:  # a list's items count as one: a list is one structural unit
        items = sum(1 for c in block if _is_item(c))
        return len(block) - items + min(items, 1)

    while len(blocks) > 1 and sum(map(size, blocks)) > limit + extra:
        blocks.pop()
    return [c for block in blocks for c in block]


def _is_antecedent(previous: Candidate, cand: Candidate) -> bool:
    return previous.passage.chunk.id == cand.passage.chunk.id and previous.unit.end <= cand.unit.start and leans_back(
        cand.unit.text
    )


def with_continuation(chosen: list[Candidate], pool: list[Candidate]) -> list[Candidate]:
    """A passage's first chosen sentence is followed by the next one when that one points back at it ("This has led
    some to call it a 'targets-and-terror' regime.", "This creates a reluctance in Whitehall to let go of control")."""
    taken = {(c.passage.chunk.id, c.unit.start) for c in chosen}
    seen: set[str] = set()
    out: list[Candidate] = []
    for cand in chosen:
        out.append(cand)
        chunk_id = cand.passage.chunk.id
        if chunk_id in seen or len(seen) >= 2:  # the two best passages: a third's continuation would crowd out picks
            continue
        seen.add(chunk_id)
        after = [c for c in _following(cand, pool) if c.passage.chunk.id == chunk_id][:1]
        if after and leans_back(after[0].unit.text) and (chunk_id, after[0].unit.start) not in taken:
            out.append(after[0])
            taken.add((chunk_id, after[0].unit.start))
    return out


def _previous_in_chunk(cand: Candidate, pool: Sequence[Candidate]) -> Candidate | None:
    """The unit of the pool right before ``cand`` in its chunk (the sentence it may point back to), if any."""
    before = [c for c in pool if c.passage.chunk.id == cand.passage.chunk.id and c.unit.end <= cand.unit.start]
    return max(before, key=lambda c: c.unit.end) if before else None


def with_antecedent_unit(cand: Candidate, pool: Sequence[Candidate]) -> Candidate:
    """``cand`` as one unit with the sentence before it when it points back to it ('HMT … is too short-termist …
    This is most clearly seen in the reluctance to invest to save'): its exact span in the source, scored as ``cand``.
    A unit that stands alone, a list item, or one with nothing before it in its chunk is returned as it is."""
    if not leans_back(cand.unit.text) or _is_item(cand):
        return cand
    chunk = cand.passage.chunk
    previous = _previous_in_chunk(cand, pool)
    if previous is None or leans_back(previous.unit.text) or _is_item(previous) or _announces(previous):
        return cand
    text = chunk.text[previous.unit.start - chunk.start:cand.unit.end - chunk.start]
    return replace(cand, unit=Unit(previous.unit.start, cand.unit.end, text))


def with_antecedents(chosen: list[Candidate], pool: list[Candidate], depth: int = 2) -> list[Candidate]:
    """Put the sentence a chosen one points back to ("These include gaming...") right before it, moving it
    there if it was chosen for a later place."""
    out: list[Candidate] = []
    placed: set[tuple[str, int]] = set()
    for cand in chosen:
        key = (cand.passage.chunk.id, cand.unit.start)
        if key in placed:
            continue
        if leans_back(cand.unit.text) and not _is_item(cand):
            # The sentence pointed to may point back too ('It should then ...' after 'the centre should ...'): up to
            # ``depth`` sentences back, so the first one shown stands on its own.
            before: list[Candidate] = []
            current = cand
            while len(before) < depth and leans_back(current.unit.text) and not _is_item(current):
                previous = _previous_in_chunk(current, pool)
                if previous is None:
                    break
                before.insert(0, previous)
                current = previous
            for previous in before:
                if (previous.passage.chunk.id, previous.unit.start) not in placed:
                    placed.add((previous.passage.chunk.id, previous.unit.start))
                    out.append(previous)
        placed.add(key)
        out.append(cand)
    return out


def _following(cand: Candidate, pool: list[Candidate]) -> list[Candidate]:
    """Units after ``cand`` in its chunk, then in the next chunk of the same source if it was retrieved."""
    chunk = cand.passage.chunk
    same = [c for c in pool if c.passage.chunk.id == chunk.id and c.unit.start > cand.unit.start]
    nxt = [c for c in pool if c.passage.chunk.source_id == chunk.source_id and c.passage.chunk.seq == chunk.seq + 1]
    return sorted(same, key=lambda c: c.unit.start) + sorted(nxt, key=lambda c: c.unit.start)


def _announces(cand: Candidate) -> bool:
    return announces_list(cand.unit.text)


def _is_item(cand: Candidate) -> bool:
    return is_list_item(cand.unit.text)


def _same_words(a: str, b: str, share: float) -> bool:
    ta, tb = set(terms(a)), set(terms(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) > share


def render(candidate: Candidate) -> str:
    """The unit as a readable sentence, without its citation marker or final stop."""
    chunk, text = candidate.passage.chunk, candidate.unit.text
    if chunk.kind == "table_row":
        return _render_row(chunk.context, text)
    if chunk.kind == "figure":
        return _render_figure(text)
    sentence = strip_markers(strip_bullet(text))
    sentence = _EMPHASIS.sub(r"\1", sentence)
    return sentence.rstrip(" .")


def _render_row(context: str, row: str) -> str:
    lines = [line.strip() for line in context.split("\n") if line.strip()]
    label = lines[0].title() if lines else "Table"
    header = next((line for line in lines if "\t" in line), "")
    cells = [c.strip() for c in row.split("\t") if c.strip()]
    if header:
        heads = [h.strip() for h in header.split("\t") if h.strip()]
        if len(cells) == 2:
            return f"{label}, {cells[0]}: {cells[1].rstrip('.')}"
        parts = [f"{h.lower()}: {c.rstrip('.')}" for h, c in zip(heads[1:], cells[1:], strict=False)]
        return f"{label}, {cells[0]} — " + "; ".join(parts)
    return f"{label}, {_column(context)}: {' '.join(cells)}"


def _column(context: str) -> str:
    """The head of a table cell's column where the table is laid out by columns and has no header row: the short
    line among the cell's headers ('Opportunity'), after the table's label and title; '' when there is none."""
    lines = [line.strip() for line in context.split("\n") if line.strip()]
    if any("\t" in line for line in lines):
        return ""
    siblings = [line for line in lines[2:] if not line.lower().startswith("source:")]
    return next((line for line in siblings if len(line.split()) <= 4), "")


def _render_figure(text: str) -> str:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    label = lines[0].title() if lines else "Figure"
    source = next((line for line in lines if line.lower().startswith("source:")), "")
    body = [line for line in lines[1:] if line != source]
    title = body[0] if body else ""
    extra = "; ".join([*body[1:], source] if source else body[1:])
    return f"{label}, “{title}”" + (f" ({extra})" if extra else "")
