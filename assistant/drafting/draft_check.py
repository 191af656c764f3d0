"""Check a whole draft: every sentence a claim check, its citations numbered across the draft.

1. Split the draft into units a reader would check one by one: Markdown headings and short title lines are
   headings; blank lines part paragraphs; list items and table rows stand alone; paragraphs are split into
   sentences (text.sentences).
2. A heading, a question, a lead-in ending in a colon ("It sets out three steps:") or a fragment of fewer
   than ``MIN_WORDS`` words is shown but not checked: none of them states a claim on its own.
3. Every other sentence goes through the claim check (drafting.claims) on one Evidence, so the whole
   draft is judged against one index snapshot. The sentences' vectors are embedded in one batch first:
   the claim check then finds each one ready instead of calling the model once per sentence.
4. Citations are renumbered across the draft by one Ledger (the same quote keeps one [n] wherever it is
   used), and the [n] markers in each sentence's reason with them.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.drafting.claims import check_claim
from assistant.drafting.evidence import Evidence, Ledger, clean
from assistant.errors import QuestionError
from assistant.schemas import ClaimCheck, DraftCheck, SentenceCheck, SentenceVerdict
from assistant.text.sentences import split_sentences, strip_bullet

# A draft for a minister's office runs to a few pages; 20,000 characters is about 3,000 words (six pages),
# which the embedded mode checks in well under 30 s on two cores. Longer texts are checked in parts.
MAX_DRAFT_CHARS = 20_000
# "Targets improve outcomes." is a claim; "Next steps" or "Annex B" are not. Shorter units are shown, not checked.
MIN_WORDS = 3
# A line this short, with no closing punctuation, standing alone or opening a paragraph, is a title.
TITLE_WORDS = 10

VERDICTS: tuple[SentenceVerdict, ...] = ("supported", "contradicted", "mixed", "not enough evidence", "not checked")
PieceKind = Literal["sentence", "heading", "question", "lead-in", "fragment"]
NOT_CHECKED = {
    "heading": "a heading",
    "question": "a question, not a claim",
    "lead-in": "introduces what follows; says nothing to check on its own",
    "fragment": f"too short to be a claim (fewer than {MIN_WORDS} words)",
}

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)[^*_]+(?:\*\*|__)\s*:?\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")
_CLOSED = re.compile(r"[.!?:;,)\"'”’]\s*$")
_MARKER = re.compile(r"\[(\d+)\]")
_QUOTED_ITEM = re.compile(r"“\s*[-*•]\s+")


@dataclass(frozen=True)
class Piece:
    """One unit of the draft as a reader checks it: its text on one line, and what kind of unit it is."""

    text: str
    kind: PieceKind


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _plain(text: str) -> str:
    """A unit as shown: one line, without its list marker, heading marks or Markdown bold."""
    text = _MD_HEADING.sub("", text)
    return " ".join(strip_bullet(text).replace("__", "").split())


def _is_title(line: str) -> bool:
    stripped = line.strip()
    if _MD_HEADING.match(line) or _BOLD_LINE.match(line):
        return True
    return (
        not _BULLET.match(line) and "\t" not in line and 0 < _words(stripped) <= TITLE_WORDS
        and not _CLOSED.search(stripped) and stripped[:1].isupper()
    )


def _classify(text: str) -> PieceKind:
    if text.rstrip("\"'”’) ").endswith("?"):
        return "question"
    if text.endswith(":"):
        return "lead-in"
    if _words(text) < MIN_WORDS:
        return "fragment"
    return "sentence"


def _paragraph(lines: list[str], last: bool) -> list[Piece]:
    """A paragraph's units: a title line opening it, then its sentences, list items and table rows."""
    out: list[Piece] = []
    if _is_title(lines[0]):
        # "Introduction" on its own line before more text (a last line without a full stop is a sentence); in a
        # paragraph only when the next line does not carry on a wrapped sentence.
        if (len(lines) == 1 and not last) or _BOLD_LINE.match(lines[0]) or (len(lines) > 1 and (
                lines[1][:1].isupper() or _BULLET.match(lines[1]))):
            out.append(Piece(_plain(lines[0]).rstrip(":"), "heading"))
            lines = lines[1:]
    text = "\n".join(lines)
    for s, e in split_sentences(text):
        plain = _plain(text[s:e])
        if plain:
            out.append(Piece(plain, _classify(plain)))
    return out


def split_draft(text: str) -> list[Piece]:
    """The draft's units in order: headings, sentences, list items, table rows, questions and fragments."""
    blocks: list[list[str] | str] = []  # each paragraph's lines, or a Markdown heading's text
    lines: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip() and not _MD_HEADING.match(line):
            lines.append(line)
            continue
        if lines:  # a blank line or a heading ends the paragraph
            blocks.append(lines)
            lines = []
        if line.strip():
            blocks.append(_plain(line))
    pieces: list[Piece] = []
    for i, block in enumerate(blocks):
        if isinstance(block, str):
            pieces.append(Piece(block, "heading"))
        else:
            pieces += _paragraph(block, last=i == len(blocks) - 1)
    return pieces


def validate(text: str) -> str:
    """The draft's text, or a QuestionError saying why it cannot be checked (empty or too long)."""
    if not isinstance(text, str) or not text.strip():
        raise QuestionError("the draft is empty: paste the text to check, or give a file (.docx, .pdf, .md or .txt)")
    if len(text) > MAX_DRAFT_CHARS:
        raise QuestionError(
            f"the draft is {len(text):,} characters long; the limit is {MAX_DRAFT_CHARS:,} (about 3,000 words, six "
            "pages). Check it in parts."
        )
    return text


def check_draft(ev: Evidence, text: str, *, title: str = "") -> DraftCheck:
    """Each sentence of ``text`` checked against the sources, with its verdict, reason and citations."""
    began = time.perf_counter()
    pieces = split_draft(validate(text))
    claims = [p.text for p in pieces if p.kind == "sentence"]
    if not claims:
        raise QuestionError(
            "nothing to check: the draft has no sentence that states something (only headings, questions or "
            f"fragments of fewer than {MIN_WORDS} words)"
        )
    ev = _with_vectors(ev, claims)
    ledger = ev.ledger()
    sentences: list[SentenceCheck] = []
    checks: list[ClaimCheck] = []
    for piece in pieces:
        if piece.kind != "sentence":
            sentences.append(SentenceCheck(sentence=piece.text, verdict="not checked", reason=NOT_CHECKED[piece.kind],
                                           heading=piece.kind == "heading"))
            continue
        check = check_claim(ev, piece.text)
        checks.append(check)
        sentences.append(_sentence(piece.text, check, ledger))
    counts = Counter(s.verdict for s in sentences)
    llm = next((c for c in checks if c.mode == "llm"), None)
    return DraftCheck(
        title=title.strip() or _title(pieces),
        sentences=sentences,
        counts={v: counts[v] for v in VERDICTS},
        mode="llm" if llm else "embedded",
        model=llm.model if llm else None,
        prompt_version=checks[0].prompt_version,
        seconds=round(time.perf_counter() - began, 3),
    )


def _sentence(text: str, check: ClaimCheck, ledger: Ledger) -> SentenceCheck:
    """A claim check as one sentence of the draft, its citations renumbered in the draft's ledger."""
    renumbered: dict[int, int] = {}

    def add(citations: list) -> list:  # type: ignore[type-arg]
        out = []
        for c in citations:
            kept = ledger.add(c)
            renumbered[c.n] = kept.n
            out.append(kept)
        return out

    supporting, contradicting = add(check.supporting), add(check.contradicting)
    reason = _one_line(check.reason or check.explanation)
    reason = _MARKER.sub(lambda m: f"[{renumbered.get(int(m.group(1)), int(m.group(1)))}]", reason)
    return SentenceCheck(sentence=text, verdict=check.verdict, reason=reason, supporting=supporting,
                         contradicting=contradicting, source_figures=list(check.source_figures))


def _one_line(text: str) -> str:
    """A reason as plain words: quoted passages lose the Markdown of their source (bold, a list item's marker)."""
    return " ".join(_QUOTED_ITEM.sub("“", text.replace("**", "")).split())


def _title(pieces: list[Piece]) -> str:
    """The draft's first heading, or the opening words of its first sentence."""
    if pieces[0].kind == "heading":
        return pieces[0].text
    words = pieces[0].text.split()
    return " ".join(words[:10]) + ("…" if len(words) > 10 else "")


def _with_vectors(ev: Evidence, claims: list[str]) -> Evidence:
    """The same Evidence, with every sentence's vector embedded in one batch and reused by each claim check."""
    limit = ev.settings.max_question_chars
    queries = list(dict.fromkeys(clean(c, limit) for c in claims))  # the claim check searches the cleaned text
    ready = dict(zip(queries, ev.embed(queries), strict=True))
    embed = ev.embed

    def cached(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in ready]
        if missing:
            ready.update(zip(missing, embed(missing), strict=True))
        return np.stack([ready[t] for t in texts])

    return Evidence(ev.snapshot, embed=cached, citer=ev.citer, settings=ev.settings, profile=ev.profile, llm=ev.llm)
