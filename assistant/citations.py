"""The one citation verifier, for embedded and LLM answers alike.

ALCE's rule: a sentence is supported when the passages it cites, taken together, support it. Our
deterministic check: every number in the sentence (a count in words too) appears in a cited passage, the stance engine
(assistant/text/stance.py) finds nothing it says differently from the cited sentence it restates (names,
actors, numbers bound to what they count, direction, negation, hedges, quantifiers, order), enough of its
content words appear there, and it is semantically close to one of the cited passage's sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.schemas import Citation, RemovedSentence
from assistant.settings import VerifySettings
from assistant.text import stance
from assistant.text.numbers import numbers
from assistant.text.sentences import MARKER, split_sentences, strip_markers
from assistant.text.words import comparable, terms
from assistant.types import Passage, Unit

_HAS_WORD = re.compile(r"\w")
_ONLY_MARKERS = re.compile(r"(\s*\[\d+(?:\s*,\s*\d+)*\])+\s*")
Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Support:
    """How well one sentence is supported by the passages it cites."""

    ok: bool
    score: float
    reason: str
    best: dict[int, Unit]  # for each cited passage, the unit that supports the sentence best
    kind: str = ""  # what is wrong when not ok (RemovedSentence.kind)
    conflict: str = ""  # the passage words the sentence conflicts with


def markers(sentence: str) -> list[int]:
    """The passage numbers a sentence cites, in order."""
    found: list[int] = []
    for m in MARKER.finditer(sentence):
        for n in m.group(1).split(","):
            if int(n) not in found:
                found.append(int(n))
    return found


def passage_units(passage: Passage) -> list[Unit]:
    """Quotable units of a passage, with offsets into the source."""
    chunk = passage.chunk
    if chunk.kind in ("table_row", "figure"):
        return [Unit(chunk.start, chunk.end, chunk.text)]
    return [Unit(s, e, chunk.text[s - chunk.start : e - chunk.start]) for s, e in split_sentences(chunk.text, chunk.start)]


def _overlap(sentence_terms: list[str], passage_terms: set[str]) -> float:
    if not sentence_terms:
        return 0.0
    return sum(1 for t in sentence_terms if t in passage_terms) / len(sentence_terms)


def disagreement(claim: str, cited: Sequence[Passage]) -> stance.Conflict | None:
    """What the claim says differently from the cited passage it restates best (the stance engine's verdict)."""
    if not cited:
        return None
    texts = [p.chunk.display_text for p in cited]
    covers = [stance.align(claim, stance.source_sentences(t))[2] for t in texts]
    k = max(range(len(cited)), key=covers.__getitem__)
    chunk = cited[k].chunk
    context = " ".join([chunk.title, chunk.section, chunk.locator, *chunk.cites])
    # A name in another cited passage is not a new name.
    others = " ".join(t for i, t in enumerate(texts) if i != k)
    return stance.compare(claim, texts[k], f"{context} {others}")


def check_support(
    sentence: str, cited: Sequence[Passage], encode: Encoder | None, settings: VerifySettings | None = None
) -> Support:
    """Decide whether the cited passages together support ``sentence`` (markers already stripped)."""
    settings = settings or VerifySettings()
    claim = sentence.strip()
    joined = "\n".join(p.chunk.display_text for p in cited)
    best: dict[int, Unit] = {}
    claim_terms = terms(claim)
    for p in cited:
        units = passage_units(p)
        scored = [(_overlap(claim_terms, set(terms(u.text))), u) for u in units] or [(0.0, Unit(p.chunk.start, p.chunk.end, p.chunk.text))]
        best[p.n] = max(scored, key=lambda su: su[0])[1]
    # A count in words is compared like a digit: 'five criteria' citing 'three criteria' (or '3 criteria') is caught.
    missing = sorted(n for n in numbers(claim, words=True) if n not in numbers(joined, words=True))
    if missing:
        return Support(False, 0.0, f"number(s) {', '.join(missing)} not in the cited passage(s)", best, "number_changed")
    verbatim = comparable(claim) in comparable(joined)
    conflict = None if verbatim else disagreement(claim, cited)
    if conflict is not None:
        return Support(False, 0.0, conflict.reason, best, conflict.kind, conflict.passage)
    overlap = _overlap(claim_terms, set(terms(joined)))
    if overlap < settings.min_overlap:
        return Support(False, overlap, f"only {overlap:.0%} of its content words are in the cited passage(s)", best,
                       "unsupported")
    if comparable(claim) in comparable(joined):
        return Support(True, 1.0, "quoted", best)
    if overlap == 1.0:
        # Every content word, number and negation comes from the cited passages (a table row or a
        # figure rendered as a sentence): no model call is needed to see that.
        return Support(True, 1.0, "words of the passage", best)
    if encode is None:
        return Support(True, overlap, "word overlap", best)
    # Only the best-matching unit and the whole passage of each cited passage are embedded: the
    # verifier runs on every answer, so its cost must stay a few short texts per sentence.
    units = [best[p.n] for p in cited] + [Unit(p.chunk.start, p.chunk.end, p.chunk.display_text) for p in cited]
    vectors = encode([claim] + [u.text for u in units])
    cosine = float(np.max(vectors[1:] @ vectors[0])) if units else 0.0
    if cosine < settings.min_cosine:
        return Support(False, cosine, f"meaning differs from the cited passage(s) (similarity {cosine:.2f})", best,
                       "unsupported")
    return Support(True, round((cosine + overlap) / 2, 4), "paraphrase", best)


@dataclass
class Verified:
    """The answer after verification: kept sentences and their citations, and what was removed."""

    text: str
    citations: list[Citation]
    removed: list[RemovedSentence]
    kept: list[str | None] = field(default_factory=list)  # per input sentence: as shown, or None if removed


def verify(
    answer: str | Sequence[str],
    passages: Sequence[Passage],
    *,
    encode: Encoder | None,
    make_citation: Callable[[int, Passage, Unit, float], Citation],
    keep_unsupported: bool = False,
    settings: VerifySettings | None = None,
) -> Verified:
    """Check every sentence of ``answer``; drop (or, with ``keep_unsupported``, mark) what fails.

    ``answer`` is free text (split here into sentences) or already a list of sentences, as the
    embedded mode gives it: a table row rendered as one sentence may itself contain full stops.
    Citations are renumbered 1..n in order of first use, so the shown answer has no gaps.
    """
    by_n = {p.n: p for p in passages}
    kept: list[str] = []
    removed: list[RemovedSentence] = []
    renumber: dict[int, int] = {}
    citations: list[Citation] = []
    if isinstance(answer, str):
        text = normalise_markers(answer)
        sentences = [text[s:e] for s, e in answer_sentences(text)]
    else:
        sentences = list(answer)
    shown: list[str | None] = []
    for sentence in sentences:
        cited_ns = markers(sentence)
        claim = strip_markers(sentence)
        shown.append(None)
        if not claim or not _HAS_WORD.search(claim):
            continue
        reason = ""
        support: Support | None = None
        if not cited_ns:
            reason = "no citation"
        elif any(n not in by_n for n in cited_ns):
            bad = [n for n in cited_ns if n not in by_n]
            reason = f"cites [{', '.join(map(str, bad))}], which is not a retrieved passage"
        else:
            support = check_support(claim, [by_n[n] for n in cited_ns], encode, settings)
            if not support.ok:
                reason = support.reason
        if reason:
            kind = support.kind if support is not None else ("no_citation" if not cited_ns else "bad_citation")
            removed.append(RemovedSentence(sentence=claim, reason=reason, cited=cited_ns, kind=kind or "unsupported",
                                           conflict=support.conflict if support is not None else ""))
            if keep_unsupported:
                kept.append(f"⚠ [unsupported: {reason}] {claim}")
            continue
        assert support is not None
        new_ns = []
        for n in cited_ns:
            if n not in renumber:
                renumber[n] = len(renumber) + 1
                citations.append(make_citation(renumber[n], by_n[n], support.best[n], support.score))
            new_ns.append(renumber[n])
        body = claim.rstrip(".!?;: ")
        end_mark = claim[len(body):].strip()[:1] or "."
        kept.append(f"{body} [{', '.join(map(str, new_ns))}]{end_mark}")
        shown[-1] = kept[-1]
    return Verified(" ".join(kept), citations, removed, shown)


_MARKER_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")


def normalise_markers(answer: str) -> str:
    """Put markers written after a full stop ("... rose. [2]") before it ("... rose [2].")."""
    return _MARKER_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", answer)


def answer_sentences(answer: str) -> list[tuple[int, int]]:
    """Sentence spans of an answer, keeping trailing [n] markers with their sentence."""
    spans = split_sentences(answer)
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and _ONLY_MARKERS.fullmatch(answer[s:e]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
