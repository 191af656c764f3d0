"""The embedded answer mode: an answer composed of the sources' own sentences, each cited.

No generative model runs here, so every sentence shown is a sentence (or a table row or figure
caption, rendered as a sentence) of a retrieved passage: grounded by construction. Sentence vectors
were computed at ingest, so composing costs dot products, not model calls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.citations import Unit
from assistant.retrieval import Passage, terms
from assistant.sentences import strip_bullet
from assistant.store import SentenceVectors

# Weights chosen on the gold set's answerable items (evals/README.md): the sentence's own cosine,
# its share of the question's terms, and how well its whole passage matches.
LEXICAL_WEIGHT = 0.3
PASSAGE_WEIGHT = 0.3
RELATIVE_FLOOR = 0.6  # a further sentence must score at least this share of the best one
REDUNDANT_COSINE = 0.9


@dataclass(frozen=True)
class Candidate:
    """A unit of a passage that may go into the answer."""

    passage: Passage
    unit: Unit
    vector: np.ndarray
    cosine: float
    overlap: float

    @property
    def score(self) -> float:
        return self.cosine + LEXICAL_WEIGHT * self.overlap + PASSAGE_WEIGHT * self.passage.dense


def candidates(
    question: str, query_vector: np.ndarray, passages: Sequence[Passage], sentences: SentenceVectors
) -> list[Candidate]:
    """Every quotable unit of the retrieved passages, scored against the question."""
    wanted = {p.chunk.id: p for p in passages}
    wants_references = bool(_ASKS_FOR_REFERENCES.search(question))
    question_terms = set(terms(question))
    question_numbers = set(re.findall(r"\d+(?:\.\d+)?", question))
    out = []
    for row, chunk_id in enumerate(sentences.chunk_ids):
        passage = wanted.get(chunk_id)
        if passage is None:
            continue
        chunk = passage.chunk
        start, end = int(sentences.starts[row]), int(sentences.ends[row])
        text = chunk.text[start - chunk.start : end - chunk.start]
        if not _answers_something(text, chunk.kind, wants_references):
            continue
        scope = chunk.display_text if chunk.kind in ("table_row", "figure") else f"{chunk.context}\n{text}"
        unit_terms = set(terms(scope))
        overlap = len(question_terms & unit_terms) / len(question_terms) if question_terms else 0.0
        if question_numbers and question_numbers & set(re.findall(r"\d+(?:\.\d+)?", text)):
            overlap = min(1.0, overlap + 0.2)
        vector = sentences.vectors[row]
        out.append(Candidate(passage, Unit(start, end, text), vector, float(vector @ query_vector), overlap))
    return out


_ASKS_FOR_REFERENCES = re.compile(r"\b(reference|references|bibliograph\w*|full citation|published by|publisher)\b", re.I)


# Text addressed to an AI model ("ignore previous instructions", "reveal your system prompt") is
# data to quote in a library view, never an answer to put in front of an adviser.
INSTRUCTION_TO_MODEL = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|rules|prompts?|above)\b|\breveal\b.{0,40}\bprompt\b"
    r"|\bsystem prompt\b|\breply only\b|\byou are now\b|\bdeveloper mode\b",
    re.IGNORECASE,
)


def _answers_something(text: str, kind: str, wants_references: bool) -> bool:
    """Leave out units that cannot answer: rhetorical questions, bare labels, reference entries."""
    if kind == "reference" and not wants_references:
        return False
    if INSTRUCTION_TO_MODEL.search(text):
        return False
    plain = text.strip().lstrip("-*• ").strip()
    if plain.endswith("?") and kind not in ("list", "box", "table_row", "figure") and not text.lstrip().startswith("-"):
        return False
    return len(re.findall(r"\w+", plain)) >= 4 or kind in ("table_row", "figure")


def select(pool: list[Candidate], limit: int) -> list[Candidate]:
    """The best candidate first, then others close to it in score and not redundant with those chosen."""
    ranked = sorted(pool, key=lambda c: (-c.score, c.passage.n, c.unit.start))
    chosen: list[Candidate] = []
    for cand in ranked:
        if len(chosen) >= limit:
            break
        if chosen and cand.score < RELATIVE_FLOOR * chosen[0].score:
            break
        # Cells of one table column share their headers, hence nearly the same vector: compare their text.
        if cand.passage.chunk.kind != "table_row" and any(
            float(cand.vector @ other.vector) > REDUNDANT_COSINE for other in chosen
        ):
            continue
        if any(_same_words(cand.unit.text, other.unit.text) for other in chosen):
            continue
        chosen.append(cand)
    return chosen


_ANNOUNCES_LIST = re.compile(
    r"(:\s*$)|\b(following|two|three|four|five|six|criteria|these include|a number of)\b", re.IGNORECASE
)


def with_list_items(chosen: list[Candidate], pool: list[Candidate], extra: int = 6) -> list[Candidate]:
    """After a sentence that announces a list ("This should include three criteria."), add the items.

    The announcement may be the chosen sentence itself or the one right after it.
    """
    out: list[Candidate] = []
    taken = {(c.passage.chunk.id, c.unit.start) for c in chosen}
    for cand in chosen:
        out.append(cand)
        siblings = _following(cand, pool)
        if not _announces(cand) and siblings and _announces(siblings[0]) and not _is_item(siblings[0]):
            lead = siblings.pop(0)
            if (lead.passage.chunk.id, lead.unit.start) not in taken:
                taken.add((lead.passage.chunk.id, lead.unit.start))
                out.append(lead)
        elif not _announces(cand):
            continue
        elif siblings and not _is_item(siblings[0]) and _ANAPHOR.match(siblings[0].unit.text):
            # "... underpinned by three fundamental needs. These are the pursuit of: competence, ..."
            spelled_out = siblings.pop(0)
            if (spelled_out.passage.chunk.id, spelled_out.unit.start) not in taken:
                taken.add((spelled_out.passage.chunk.id, spelled_out.unit.start))
                out.append(spelled_out)
        for item in siblings[:extra]:
            if not _is_item(item):
                break
            if (item.passage.chunk.id, item.unit.start) not in taken:
                taken.add((item.passage.chunk.id, item.unit.start))
                out.append(item)
    return out


_ASKS_FOR_NUMBER = re.compile(
    r"\b(how (many|much|fast|far|long|large|big)|what (share|proportion|percentage|fraction|number|size|rate|level|amount)"
    r"|effect sizes?|by how|per cent|percentage|what (was|were|is|are) the [\w\s-]{0,30}(size|rate|share|figure|gap))\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")


def with_numbers(question: str, chosen: list[Candidate], pool: list[Candidate]) -> list[Candidate]:
    """For a question asking for a quantity, follow a number-less sentence with the next one if it has numbers.

    "Rewards ... all reduced free-choice intrinsic motivation." is the sentence that matches; the
    figures are in the next: "The effect sizes were d = -0.40, -0.36 and -0.28 respectively."
    """
    if not _ASKS_FOR_NUMBER.search(question) or any(_DIGIT.search(c.unit.text) for c in chosen[:1]):
        return chosen
    out: list[Candidate] = []
    taken = {(c.passage.chunk.id, c.unit.start) for c in chosen}
    for cand in chosen:
        out.append(cand)
        if _DIGIT.search(cand.unit.text):
            continue
        after = [c for c in _following(cand, pool) if c.passage.chunk.id == cand.passage.chunk.id][:1]
        if after and _DIGIT.search(after[0].unit.text) and (after[0].passage.chunk.id, after[0].unit.start) not in taken:
            taken.add((after[0].passage.chunk.id, after[0].unit.start))
            out.append(after[0])
    return out


_ANAPHOR = re.compile(r"^\W*(This|These|It|They|Their|Such|That|Those|He|She|His|Her)\b")


def fit(ordered: list[Candidate], picks: list[Candidate], limit: int) -> list[Candidate]:
    """About ``limit`` sentences: list items and linked sentences may add three more; past that the weakest
    picks go, each with what was added to complete it. The lead is always kept whole."""
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
    while len(blocks) > 1 and sum(map(len, blocks)) > limit + 3:
        blocks.pop()
    return [c for block in blocks for c in block]


def _is_antecedent(previous: Candidate, cand: Candidate) -> bool:
    return previous.passage.chunk.id == cand.passage.chunk.id and previous.unit.end <= cand.unit.start and bool(
        _ANAPHOR.match(cand.unit.text)
    )


def with_continuation(chosen: list[Candidate], pool: list[Candidate]) -> list[Candidate]:
    """The lead sentence is followed by the next one when that one points back at it ("This has led some
    to call it a 'targets-and-terror' regime.", "These are the pursuit of: competence ...")."""
    if not chosen:
        return chosen
    lead = chosen[0]
    after = [c for c in _following(lead, pool) if c.passage.chunk.id == lead.passage.chunk.id][:1]
    taken = {(c.passage.chunk.id, c.unit.start) for c in chosen}
    if after and _ANAPHOR.match(after[0].unit.text) and (after[0].passage.chunk.id, after[0].unit.start) not in taken:
        return [lead, after[0], *chosen[1:]]
    return chosen


def with_antecedents(chosen: list[Candidate], pool: list[Candidate]) -> list[Candidate]:
    """Put the sentence a chosen one points back to ("These include gaming...") right before it."""
    out: list[Candidate] = []
    taken = {(c.passage.chunk.id, c.unit.start) for c in chosen}
    for cand in chosen:
        if _ANAPHOR.match(cand.unit.text) and not _is_item(cand):
            before = [c for c in pool if c.passage.chunk.id == cand.passage.chunk.id and c.unit.end <= cand.unit.start]
            if before:
                previous = max(before, key=lambda c: c.unit.end)
                if (previous.passage.chunk.id, previous.unit.start) not in taken:
                    taken.add((previous.passage.chunk.id, previous.unit.start))
                    out.append(previous)
        out.append(cand)
    return out


def _following(cand: Candidate, pool: list[Candidate]) -> list[Candidate]:
    """Units after ``cand`` in its chunk, then in the next chunk of the same source if it was retrieved."""
    chunk = cand.passage.chunk
    same = [c for c in pool if c.passage.chunk.id == chunk.id and c.unit.start > cand.unit.start]
    nxt = [c for c in pool if c.passage.chunk.source_id == chunk.source_id and c.passage.chunk.seq == chunk.seq + 1]
    return sorted(same, key=lambda c: c.unit.start) + sorted(nxt, key=lambda c: c.unit.start)


def _announces(cand: Candidate) -> bool:
    return bool(_ANNOUNCES_LIST.search(cand.unit.text.replace("**", "")))


def _is_item(cand: Candidate) -> bool:
    return cand.unit.text.lstrip().startswith(("-", "*", "•"))


def _same_words(a: str, b: str) -> bool:
    ta, tb = set(terms(a)), set(terms(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) > 0.85


def render(candidate: Candidate) -> str:
    """The unit as a readable sentence, without its citation marker or final stop."""
    chunk, text = candidate.passage.chunk, candidate.unit.text
    if chunk.kind == "table_row":
        return _render_row(chunk.context, text)
    if chunk.kind == "figure":
        return _render_figure(text)
    sentence = strip_bullet(text)
    sentence = re.sub(r"(?<!\w)\*([^*]+)\*(?!\w)", r"\1", sentence)
    return sentence.rstrip(" .")


def _render_row(context: str, row: str) -> str:
    lines = [line.strip() for line in context.split("\n") if line.strip()]
    label = lines[0].title() if lines else "Table"
    header = next((line for line in lines if "\t" in line), "")
    siblings = [line for line in lines[2:] if "\t" not in line and not line.lower().startswith("source:")]
    cells = [c.strip() for c in row.split("\t") if c.strip()]
    if header:
        heads = [h.strip() for h in header.split("\t") if h.strip()]
        if len(cells) == 2:
            return f"{label}, {cells[0]}: {cells[1].rstrip('.')}"
        parts = [f"{h.lower()}: {c.rstrip('.')}" for h, c in zip(heads[1:], cells[1:], strict=False)]
        return f"{label}, {cells[0]} — " + "; ".join(parts)
    column = next((line for line in siblings if len(line.split()) <= 4), "")
    return f"{label}, {column}: {' '.join(cells)}"


def _render_figure(text: str) -> str:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    label = lines[0].title() if lines else "Figure"
    source = next((line for line in lines if line.lower().startswith("source:")), "")
    body = [line for line in lines[1:] if line != source]
    title = body[0] if body else ""
    extra = "; ".join([*body[1:], source] if source else body[1:])
    return f"{label}, “{title}”" + (f" ({extra})" if extra else "")
