"""Polarity of a sentence: its clauses and the signal each carries (the parsing behind claim checks).

Cue words set a clause's sign: quantities (rose/fell, higher/lower), valence (improve/undermine,
'at the expense of'), attitudes (support/oppose) or 'mixed'. A negator within reach flips a cue
('virtually no growth'); a quantity on something bad flips it ('increased inequality'); 'the idea that
X is not credible' and 'this does not mean X' flip X; a negator with no cue denies what follows it; a
sentence with no cue at all simply asserts. See claims.py for how signals are weighed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.drafting.evidence import content_lemmas, lemma

NEGATION_REACH = 3  # a negator governs cues at most this many words after it ('without reform, spending would fall')
# Verbs of mere relation: they link a claim's parts but say nothing about what it is about.
RELATION_WORDS = frozenset(lemma(w) for w in "driven drive drives lead leads led result results due based mean means".split())
_UP = r"most|more|increase|increases|increased|increasing|rais(?:e|es|ed|ing)|rise|rises|risen|rising|rose|grow|grows|grown|growing|growth|grew|higher|faster|boost\w*|gains?|gained|lift\w*|expand\w*|widen\w*"
_DOWN = r"least|less|fewer|narrow(?:s|ed|ing)|fall|falls|fallen|falling|fell|declin\w*|reduc\w*|cuts?|cutting|lower|lowered|lowest|slower|drops?|dropped|decreas\w*|shr[iau]nk\w*"
# Verbs of mere relation ('driven by', 'deliver', 'produce', 'work') carry no polarity of their own.
_GOOD = (r"improv\w*|better|succe(?:ed|eded|eds|ss|ssful|ssfully)|effective(?:ly)?"
         r"|sav(?:e|es|ed|ing|ings)|encourag\w*|strengthen\w*|outperform\w*|crowds? in")
_FAVOUR = r"support(?:s|ed|ive)?|favou?r(?:s|ed)?|back(?:s|ed)|welcom\w*"
_AGAINST = r"oppos(?:e|es|ed|ing|ition)|reject\w*|resist\w*"
_BAD = (r"undermin\w*|harm\w*|damag\w*|wors(?:e|en|ened|ening)|worst|negative(?:ly)?|crowd(?:s|ed|ing)? out|demotivat\w*"
        r"|at the expense of|gaming|perverse|ineffective|weaken\w*|loss(?:es)?|lose|loses|losing|lost"
        r"|risks?|disempower\w*")
_NEGATOR = (r"no|not|never|without|little|limited(?!-)|lack(?:s|ed|ing)?(?: of)?|neither|nor|rather than|instead of|absent|few"
            r"|cannot|can't|don't|doesn't|didn't|isn't|aren't|wasn't|hardly|barely|scarcely|unlikely|unable|none"
            r"|fail(?:s|ed|ing|ure)?(?: to)?|struggl\w*(?: to)?")
_MIXED = r"mixed"
CUES = re.compile(
    rf"\b(?:(?P<up>{_UP})|(?P<down>{_DOWN})|(?P<good>{_GOOD})|(?P<bad>{_BAD})|(?P<favour>{_FAVOUR})"
    rf"|(?P<against>{_AGAINST})|(?P<mixed>{_MIXED})|(?P<neg>{_NEGATOR}))\b"
)
# Things that are bad to have more of: a quantity verb on them is a change of sign ('increased inequality').
BAD_OBJECTS = frozenset(lemma(w) for w in "inequality crime poverty mortality deaths waiting gaming dissatisfaction neet risks gap".split())
DISBELIEF = re.compile(r"\b(?:is|are|was|were)\s+(?:not\s+credible|a\s+myth|a\s+fantasy|a\s+fallacy|wrong|false|untrue|mistaken)\b")
DENIAL = re.compile(r"\b(?:does|do|did)\s+not\s+(?:mean|imply|follow)(?:\s+that)?\b", re.I)
# Clause boundaries: punctuation, contrasts, negating prepositions, and an 'and' that starts a new verb phrase
# ('attainment improved and crime was reduced'), not one that joins nouns ('innovation and improvement').
_SPLIT = re.compile(
    r"\s*[;:,]\s+|\s+[–—-]\s+|\s+(?=(?:but|however|whilst|while|although|though|yet|despite|whereas|without"
    r"|rather than|instead of|not by|at the expense of)\b)"
    r"|\s+(?=and\s+(?:\S+\s+){0,3}?(?:can|could|will|would|may|might|has|have|had|is|are|was|were|also)\b)",
    re.I,
)
OPENS_CONTRAST = re.compile(r"\s*(?:but|however|yet|whereas|at the expense of)\b", re.I)
CONCESSIVE = re.compile(r"\s*(?:however\s+)?(?:whilst|while|although|though|despite)\b", re.I)
_ADVERBS = frozenset("again rapidly strongly considerably sharply significantly slightly steadily further".split())
_GRANTS = re.compile(r"\b(?:can|could|may|some evidence|evidence that)\b", re.I)
ANAPHOR = re.compile(r"\b(?:these|this|such|they|their|it|its)\b", re.I)
_PARENTHESIS = re.compile(r"\([^()]*\)|…|\.\.\.")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?!\d)")
YEARS = frozenset(str(y) for y in range(1900, 2100))


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
        return numbers(self.clause)


@dataclass
class _Cue:
    sign: int
    cue: str
    kind: str  # quantity | valence | attitude | negation | implicit | mixed
    before: str
    after: str


def signals(text: str, acronyms: dict[str, str] | None = None) -> list[Signal]:
    """The polarity signals of a sentence: one per cue, each with its clause's words and its own neighbours."""
    plain = _PARENTHESIS.sub(" ", text.replace("“", '"').replace("”", '"').replace("’", "'"))
    for phrase, short in (acronyms or {}).items():
        plain = re.sub(rf"\b{re.escape(phrase)}\b", short, plain, flags=re.I)
    flipped = (0, 0)
    disbelief, denial = DISBELIEF.search(plain), DENIAL.search(plain)
    if disbelief:
        # "the idea that X is not credible" asserts not-X: flip what comes before, drop the frame itself.
        flipped = (0, disbelief.start())
        plain = plain[: disbelief.start()] + " " + plain[disbelief.end():]
    elif denial:
        # "this does not mean X" denies X: flip what comes after.
        plain = plain[: denial.start()] + " " + plain[denial.end():]
        flipped = (denial.start(), len(plain))
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


def _cues(piece: str, flip: bool) -> list[_Cue]:
    """The clause's polarity: its cues composed ('undermine ... improvement' is bad), each negated by
    the negators just before it ('virtually no growth'); a negator with no cue in reach stands alone."""
    lower = piece.lower()
    found = list(CUES.finditer(lower))
    negators = [m for m in found if m.lastgroup == "neg"]
    used: set[int] = set()
    parts: list[tuple[int, str, str, re.Match[str]]] = []
    for m in found:
        kind = m.lastgroup or ""
        if kind == "neg":
            continue
        if kind == "mixed":
            parts.append((0, m.group(0), "mixed", m))
            continue
        sign = 1 if kind in ("up", "good", "favour") else -1
        category = {"up": "quantity", "down": "quantity", "favour": "attitude", "against": "attitude"}.get(kind, "valence")
        if category == "quantity" and _on_bad_object(lower, m):
            sign, category = -sign, "valence"
        for n in negators:
            if n.end() <= m.start() and len(lower[n.end() : m.start()].split()) <= NEGATION_REACH:
                sign, used = -sign, used | {n.start()}
        parts.append((sign, m.group(0), category, m))
    flip_sign = -1 if flip else 1
    out: list[_Cue] = []
    # Cues joined by 'and'/'or' are separate statements ('better outcomes and reduced costs'); otherwise
    # the first governs the next.
    groups: list[list[tuple[int, str, str, re.Match[str]]]] = []
    for part in parts:
        if groups and not re.search(r"\b(?:and|or)\b", lower[groups[-1][-1][3].end() : part[3].start()]):
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


def _on_bad_object(lower: str, cue: re.Match[str]) -> bool:
    """Is the quantity cue about something bad to have more of? Its object ('increased *inequality*',
    'a lower *percentage*') if a noun follows, else its subject ('avoidable *deaths* are higher')."""
    from assistant.retrieval import STOPWORDS

    after = re.findall(r"[a-z][a-z'-]*", lower[cue.end():])
    if after and after[0] not in STOPWORDS and after[0] not in _ADVERBS:
        words = after[:4]
    else:
        words = re.findall(r"[a-z][a-z'-]*", lower[: cue.start()])[-5:]
    return bool({lemma(w) for w in words} & BAD_OBJECTS)


def _merge(clauses: list[tuple[str, list[_Cue]]]) -> list[Signal]:
    """Attach cue-less clauses to a neighbour: a leading one is the subject, later ones add detail.

    A cue-less clause right before a 'but' clause is not a subject but the other side of the contrast
    ("Some evidence it can drive providers from poor to good - but limited evidence ..."): it gets the
    opposite sign of what follows.
    """
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
        if pending and OPENS_CONTRAST.match(text) and cues[0].sign and _GRANTS.search(pending):
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
    """Content lemmas of a clause, without its cue words and verbs of mere relation."""
    cue_free = CUES.sub(" ", text.lower())
    return frozenset(content_lemmas(cue_free)) - RELATION_WORDS


def numbers(text: str) -> set[str]:
    """Quantities in the text, leaving out years (they date a claim rather than state it)."""
    return {n for n in _NUMBER.findall(text) if not (len(n) == 4 and n[:2] in ("19", "20"))}
