"""Polarity of a sentence: its clauses and the signal each carries (the parsing behind stance checks).

Cue words (lexicon.toml [polarity]) set a clause's sign: quantities (rose/fell, higher/lower), valence
(improve/undermine, 'at the expense of'), attitudes (support/oppose) or 'mixed'. A negator within reach
flips a cue ('virtually no growth'); a quantity on something bad flips it ('increased inequality'); 'the
idea that X is not credible' and 'this does not mean X' flip X; a negator with no cue denies what follows
it; a sentence with no cue at all simply asserts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from assistant.text.acronyms import abbreviate
from assistant.text.lexicon import alternation, entries, number, phrases, word_set
from assistant.text.numbers import money, numbers, shares
from assistant.text.words import content_lemmas, normalise_quotes, stem, stemmed_list, stopwords

_PARENTHESIS = re.compile(r"\([^()]*\)|…|\.\.\.")
_ENGLISH_WORD = re.compile(r"[a-z][a-z'-]*")
_AND_OR = re.compile(r"\b(?:and|or)\b")
# Clause boundaries: punctuation, contrasts, negating prepositions, and an 'and' that starts a new verb phrase
# ('attainment improved and crime was reduced'), not one that joins nouns ('innovation and improvement').
_SPLIT = re.compile(
    r"\s*[;:,]\s+|\s+[–—-]\s+|\s+(?=(?:but|however|whilst|while|although|though|yet|despite|whereas|without"
    r"|rather than|instead of|not by|at the expense of)\b)"
    r"|\s+(?=and\s+(?:\S+\s+){0,3}?(?:can|could|will|would|may|might|has|have|had|is|are|was|were|also)\b)",
    re.I,
)
YEARS = frozenset(str(y) for y in range(1900, 2100))
CUE_KINDS = ("up", "down", "good", "bad", "favour", "against", "mixed")  # the order the cue alternation tries


@dataclass(frozen=True)
class Patterns:
    cues: re.Pattern[str]
    disbelief: re.Pattern[str]
    denial: re.Pattern[str]
    opens_contrast: re.Pattern[str]
    concessive: re.Pattern[str]
    grants: re.Pattern[str]
    modal: re.Pattern[str]
    absolute: re.Pattern[str]
    absolute_denied: re.Pattern[str]
    contrast: re.Pattern[str]
    counterfactual: re.Pattern[str]
    intent: re.Pattern[str]
    reported: re.Pattern[str]
    not_quantities: re.Pattern[str]


@cache
def patterns() -> Patterns:
    """The compiled cue patterns, built once from the lexicon."""
    cues = "|".join(f"(?P<{name}>{alternation(entries('polarity', name))})" for name in CUE_KINDS)
    negator = alternation((*entries("negation", "strict"), *entries("negation", "weak_patterns")))
    contrast, concessive = entries("polarity", "contrast"), entries("polarity", "concessive")
    return Patterns(
        cues=re.compile(rf"\b(?:{cues}|(?P<neg>(?!(?:{phrases(entries('negation', 'not_denials'))})\b)(?:{negator})))\b"),
        disbelief=re.compile(rf"\b(?:is|are|was|were)\s+(?:{alternation(entries('negation', 'disbelief_patterns'))})\b"),
        denial=re.compile(rf"\b(?:does|do|did)\s+not\s+(?:{alternation(entries('negation', 'denial_verbs'))})(?:\s+that)?\b", re.I),
        opens_contrast=re.compile(rf"\s*(?:{phrases(contrast)})\b", re.I),
        concessive=re.compile(rf"\s*(?:however\s+)?(?:{phrases(concessive)})\b", re.I),
        grants=re.compile(rf"\b(?:{phrases(entries('polarity', 'grants'))})\b", re.I),
        modal=re.compile(rf"\b(?:{phrases(entries('hedges', 'modal'))})\b", re.I),
        absolute=re.compile(rf"\b(?:{alternation(entries('quantifiers', 'absolute_patterns'))})\b", re.I),
        absolute_denied=re.compile(rf"\b(?:{phrases(entries('quantifiers', 'absolute_denied_after'))})\b(?:\s+\S+){{0,3}}\s*$",
                                   re.I),
        contrast=re.compile(rf"\b(?:{phrases((*contrast, *concessive))})\b", re.I),
        counterfactual=re.compile(rf"(?:{alternation(entries('polarity', 'counterfactual_patterns'))})", re.I),
        intent=re.compile(rf"\b(?:{alternation(entries('polarity', 'intent_patterns'))})\b", re.I),
        reported=re.compile(rf"\b(?:{alternation(entries('polarity', 'reported_views'))})\b", re.I),
        not_quantities=re.compile(rf"\b(?:{alternation(entries('polarity', 'not_quantities'))})\b"),
    )


def states_intent(text: str) -> bool:
    """Does ``text`` (a clause) say what someone aims, plans or ought to do ('stated an aim to shift', 'should'),
    or instruct it ('Shift the balance of spending ...'), rather than what was done?"""
    return bool(patterns().intent.search(text)) or instructs(text)


def reports_view(sentence: str) -> bool:
    """Does ``sentence`` report a view the source describes rather than holds ('NPM claimed, ...', 'Some argue that
    ...', 'NPM contended')? Its content is someone else's claim, evidence neither way."""
    return bool(patterns().reported.search(sentence))


def instructs(sentence: str) -> bool:
    """Does ``sentence`` open with an instruction ('Shift the balance of spending ...', 'Make the UK ...')?"""
    first = sentence.lstrip("-*• \t").split(maxsplit=1)
    return bool(first) and first[0][:1].isupper() and first[0].lower() in word_set("polarity", "imperatives")


@dataclass(frozen=True)
class Signal:
    """The polarity of one cue: +1 or -1 (0 for 'mixed'), what its clause is about, and its own neighbours."""

    sign: int
    cue: str
    kind: str
    terms: frozenset[str]  # content words of the clause and of the sentence's subject
    local: frozenset[str]  # the words the cue governs ('higher *output*'), years left out
    clause: str
    position: int = 0  # which clause of its sentence

    @property
    def numbers(self) -> set[str]:
        """The clause's figures, counts written in words among them ('five criteria' -> '5')."""
        return numbers(self.clause, years=False, words=True)


@dataclass
class _Cue:
    sign: int
    cue: str
    kind: str  # quantity | valence | attitude | negation | implicit | mixed
    before: str
    after: str


def signals(text: str, acronyms: dict[str, str] | None = None) -> list[Signal]:
    """The polarity signals of a sentence: one per cue, each with its clause's words and its own neighbours."""
    p = patterns()
    plain = abbreviate(_PARENTHESIS.sub(_aside, normalise_quotes(text)), acronyms or {})
    flipped = (0, 0)
    disbelief, denial = p.disbelief.search(plain), p.denial.search(plain)
    if disbelief:
        # "the idea that X is not credible" asserts not-X: flip what comes before, drop the frame itself.
        flipped = (0, disbelief.start())
        plain = plain[: disbelief.start()] + " " + plain[disbelief.end():]
    elif denial:
        # "this does not mean X" denies X: flip what comes after.
        plain = plain[: denial.start()] + " " + plain[denial.end():]
        flipped = (denial.start(), len(plain))
    elif p.counterfactual.search(plain):
        # "Had the UK matched X, there would have been fewer deaths": the facts are the other way round.
        flipped = (0, len(plain))
    clauses: list[tuple[str, list[_Cue]]] = []
    pos = 0
    for m in [*_SPLIT.finditer(plain), None]:
        end = m.start() if m else len(plain)
        piece = plain[pos:end]
        clauses.append((piece, _cues(piece, flip=pos < flipped[1] and end > flipped[0])))
        pos = m.end() if m else pos  # punctuation is dropped; a split before a word keeps the word
    found = _merge(clauses)
    if not found and clause_terms(plain):
        # No cue at all: the sentence simply asserts what it says ('employment is around 18 per cent').
        terms = clause_terms(plain)
        sign = -1 if flipped[1] > flipped[0] else 1  # 'this does not mean X' asserts not-X
        found = [Signal(sign, "(asserts)", "implicit", terms, terms - YEARS or terms, " ".join(plain.split()))]
    return found


def absolute_word(text: str) -> re.Match[str] | None:
    """The first word making ``text`` an absolute claim ('alone', 'never'), unless the text itself denies it: 'both
    more money and reform rather than one alone' claims nothing absolute."""
    p = patterns()
    return next((m for m in p.absolute.finditer(text) if not p.absolute_denied.search(text[:m.start()])), None)


def _aside(m: re.Match[str]) -> str:
    """A parenthesis is dropped from a clause unless it gives the clause's figure ('half the public (51%)',
    'the Conservative government (38 per cent)'): then its words stay, without the brackets."""
    inside = m.group(0)
    return f" {inside[1:-1]} " if inside.startswith("(") and (shares(inside) or money(inside)) else " "


def _cues(piece: str, flip: bool) -> list[_Cue]:
    """The clause's polarity: its cues composed ('undermine ... improvement' is bad), each negated by
    the negators just before it ('virtually no growth'); a negator with no cue in reach stands alone."""
    lower = piece.lower()
    found = list(patterns().cues.finditer(lower))
    negators = [m for m in found if m.lastgroup == "neg"]
    reach = number("polarity", "negation_reach")
    used: set[int] = set()
    parts: list[tuple[int, str, str, re.Match[str]]] = []
    for m in found:
        kind = m.lastgroup or ""
        if kind == "neg":
            continue
        if kind == "mixed":
            parts.append((0, m.group(0), "mixed", m))
            continue
        if kind in ("up", "down") and _idiom(lower, m):
            continue  # 'in more detail', 'most clearly seen', 'set its sights lower': no quantity changes
        sign = 1 if kind in ("up", "good", "favour") else -1
        category = {"up": "quantity", "down": "quantity", "favour": "attitude", "against": "attitude"}.get(kind, "valence")
        if category == "quantity" and _on_bad_object(lower, m):
            sign, category = -sign, "valence"
        for n in negators:
            if n.end() <= m.start() and len(lower[n.end() : m.start()].split()) <= reach:
                sign, used = -sign, used | {n.start()}
        parts.append((sign, m.group(0), category, m))
    flip_sign = -1 if flip else 1
    out: list[_Cue] = []
    # Cues joined by 'and'/'or' are separate statements ('better outcomes and reduced costs'); otherwise
    # the first governs the next.
    groups: list[list[tuple[int, str, str, re.Match[str]]]] = []
    for part in parts:
        if groups and not _AND_OR.search(lower[groups[-1][-1][3].end() : part[3].start()]):
            groups[-1].append(part)
        else:
            groups.append([part])
    for group in groups:
        signs = {p[0] for p in group}
        # Cues of one sign reinforce ('negative effect ... undermine'); opposite ones compose
        # ('undermines the conditions for improvement' is bad news).
        sign = 0 if 0 in signs else signs.pop() if len(signs) == 1 else int(np.prod([p[0] for p in group]))
        kind = "mixed" if sign == 0 else next((p[2] for p in group if p[2] != "quantity"), "quantity")
        first, last = group[0][3], group[-1][3]
        out.append(_Cue(sign * flip_sign, " … ".join(p[1] for p in group), kind, lower[: first.start()], lower[last.end():]))
    alone = [n for n in negators if n.start() not in used]
    if alone:
        # "little sign of the intended shift", "without reform": a negated, unstated positive.
        n = alone[-1]
        out.append(_Cue((-1) ** len(alone) * flip_sign, n.group(0), "negation", lower[: alone[0].start()], lower[n.end():]))
    return out


def _idiom(lower: str, cue: re.Match[str]) -> bool:
    """Is the quantity cue part of a phrase that changes no quantity ('in more detail', 'most clearly')?"""
    return any(m.start() <= cue.start() and cue.end() <= m.end() for m in patterns().not_quantities.finditer(lower))


def _on_bad_object(lower: str, cue: re.Match[str]) -> bool:
    """Is the quantity cue about something bad to have more of? Its object ('increased *inequality*',
    'a lower *percentage*') if a noun follows, else its subject ('avoidable *deaths* are higher')."""
    after = _ENGLISH_WORD.findall(lower[cue.end():])
    while after and after[0] in word_set("polarity", "determiners"):
        after = after[1:]  # 'reducing *their* costs': the object is the noun after the determiner
    if after and after[0] not in stopwords() and after[0] not in word_set("words", "adverbs"):
        words = after[:4]
    else:
        words = _ENGLISH_WORD.findall(lower[: cue.start()])[-5:]
    return bool({stem(w) for w in words} & stemmed_list("polarity", "bad_objects"))


def _merge(clauses: list[tuple[str, list[_Cue]]]) -> list[Signal]:
    """Attach cue-less clauses to a neighbour: a leading one is the subject, later ones add detail.

    A cue-less clause right before a 'but' clause is not a subject but the other side of the contrast
    ("Some evidence it can drive providers from poor to good - but limited evidence ..."): it gets the
    opposite sign of what follows.
    """
    p = patterns()
    merged: list[tuple[str, list[_Cue]]] = []
    pending = ""
    for text, cues in clauses:
        if not cues:
            if merged:
                merged[-1][1][-1].after += " " + text
                merged[-1] = (f"{merged[-1][0]} {text}", merged[-1][1])
            else:
                pending = f"{pending} {text}"
            continue
        if pending and p.opens_contrast.match(text) and cues[0].sign and p.grants.search(pending):
            merged.append((pending.strip(), [_Cue(-cues[0].sign, "(granted)", "contrasted", "", pending)]))
            pending = ""
        if pending:
            cues[0].before = f"{pending} {cues[0].before}"
        merged.append((f"{pending} {text}".strip(), cues))
        pending = ""
    if not merged:
        return []
    # The sentence's subject (words before its first cue) belongs to every clause.
    subject = clause_terms(merged[0][1][0].before) if merged[0][1][0].kind != "contrasted" else frozenset()
    out = []
    for position, (text, cues) in enumerate(merged):
        terms = clause_terms(text) | subject
        for cue in cues:
            local = clause_terms(cue.after) - YEARS or clause_terms(cue.before) - YEARS or terms
            out.append(Signal(cue.sign, cue.cue, cue.kind, frozenset(terms), frozenset(local), text.strip(), position))
    return out


def clause_terms(text: str) -> frozenset[str]:
    """Content stems of a clause, without its cue words and verbs of mere relation."""
    cue_free = patterns().cues.sub(" ", text.lower())
    return frozenset(content_lemmas(cue_free)) - stemmed_list("words", "relation")


def is_cue(word: str) -> bool:
    """Is ``word`` itself a polarity cue or negator ('rose', 'not')?"""
    return bool(patterns().cues.fullmatch(word.lower()))
