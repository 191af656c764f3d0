"""The stance engine: does a sentence say what the source sentence it rests on says?

One engine for the citation verifier (chat-model answers), claim checks and draft checks. It aligns the
sentence with the best-matching sentence of the passage (or two adjacent ones, when the sentence sums up
both), then compares what would mislead a reader, each rule reading its word lists from lexicon.toml
[stance]:

- names: a person, body or source the passage never names ('disbanded by Johnson' where it says Truss);
- actors: an action given to a body the aligned sentence does not name, where it names another;
- numbers bound to what they count: a figure the passage gives to something else ('staff shortages
  (55 per cent)' restated as 69 per cent);
- direction: a word whose opposite the passage uses ('narrowing' where it says 'widening'), negation counted;
- negation: a 'not' or 'no' added, or dropped from right before a word the sentence keeps ('no smaller');
- hedges: a hedge dropped ('can reduce costs' stated as 'reduces costs') or hardened ('limited evidence'
  as 'strong evidence'), or a firm statement softened;
- quantifiers: another level on the none .. all scale ('most people' where it says 'more ... than not');
- order: the two sides of 'from X to Y', 'X rather than Y', 'X than Y' swapped;
- roles: two things on the other sides of a word both sentences use ('advise Parliament and report to
  government' for 'advise government and report to Parliament'): who does what to whom, read from word order.

Each finding is a :class:`Conflict` with a one-line reason an adviser can read. Why rules and not a model:
no entailment model ships inside a PyPI package on this machine (../shared/STACK.md), and rules can say
exactly which words disagree. What they cannot see (a paraphrase that changes meaning with no word of these
kinds) is listed in the README.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant.text.lexicon import alternation, entries, groups, nested, phrases, word_set
from assistant.text.numbers import figures
from assistant.text.polarity import patterns
from assistant.text.sentences import split_sentences
from assistant.text.words import normalise_quotes, stem, stopwords, strict_negation

_TOKEN = re.compile(r"£?\d+(?:[.,]\d+)*(?:\s?(?:bn|m|k)\b)?|[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_BREAK = re.compile(r"[;:,()\[\]–—]|\s-\s")
_NEGATOR_REACH = 3  # words between a negator and the word it denies ('not by higher outputs')


@dataclass(frozen=True)
class Conflict:
    """What the sentence says differently from its source, in words an adviser can check."""

    kind: str  # name | actor | number_misbound | opposite | antonym | negation | hedge | doubt | quantifier | order
    # | comparison | role
    reason: str
    claim: str  # the sentence's words at issue
    passage: str  # the passage's words it conflicts with


@dataclass(frozen=True)
class Token:
    text: str
    lower: str
    stem: str
    index: int
    clause: int  # which punctuation-separated piece of the text it is in
    figure: str  # the normalised figure ('55', '1.2bn'), '' for a word


def tokens(text: str) -> list[Token]:
    """Words and figures of ``text`` with their clause numbers."""
    text = normalise_quotes(text)
    out: list[Token] = []
    clause, pos = 0, 0
    for m in _TOKEN.finditer(text):
        clause += len(_BREAK.findall(text[pos : m.start()]))
        pos = m.end()
        raw = m.group(0)
        found = figures(raw) if raw[0].isdigit() or raw[0] == "£" else []
        out.append(Token(raw, raw.lower(), stem(raw), len(out), clause, found[0].value if found else ""))
    return out


def _content(toks: Sequence[Token]) -> list[Token]:
    stop = stopwords()
    return [t for t in toks if not t.figure and t.lower not in stop and len(t.lower) > 1]


def content_stems(text: str) -> set[str]:
    return {t.stem for t in _content(tokens(text))}


# -- alignment -------------------------------------------------------------------------------------
def source_sentences(passage: str) -> list[str]:
    return [passage[s:e] for s, e in split_sentences(passage)] or [passage]


def _topic(text: str) -> set[str]:
    """What a sentence is about: its content stems without direction words (they are what may differ)."""
    _, side = _directions()
    return {t.stem for t in _content(tokens(text)) if t.lower not in side}


def align(claim: str, sentences: Sequence[str]) -> tuple[int, int, float]:
    """The run [i, j) of one or two adjacent sentences the claim restates best, and the share of its words there."""
    want = _topic(claim)
    if not want or not sentences:
        return 0, min(1, len(sentences)), 0.0
    stems = [_topic(s) for s in sentences]
    best = (0, 1, -1.0)
    for i in range(len(sentences)):
        for j in (i + 1, i + 2):
            if j > len(sentences):
                continue
            cover = len(want & set().union(*stems[i:j])) / len(want)
            gain = cover - (0.15 if j - i == 2 else 0.0)  # a second sentence must add several words
            if gain > best[2]:
                best = (i, j, gain)
    i, j, _ = best
    return i, j, len(want & set().union(*stems[i:j])) / len(want)


# -- the rules -------------------------------------------------------------------------------------
def compare(claim: str, passage: str, context: str = "") -> Conflict | None:
    """The first thing ``claim`` says differently from ``passage`` (None when nothing is found).

    ``context`` is text that names the passage (its source's title, section, table or figure title): a
    name found there is not a new name.
    """
    sentences = source_sentences(passage)
    i, j, _ = align(claim, sentences)
    aligned = " ".join(sentences[i:j])
    for rule in (_names, _actors, _misbound, _negation, _opposite, _quantifier, _hedge, _doubted, _order, _roles):
        found = rule(claim, aligned, passage, context)
        if found:
            return found
    return None


# names ---------------------------------------------------------------------------------------------
_CAPITALISED = re.compile(r"(?:[A-Z][\w'’&-]*)(?:\s+(?:of|for|the|de|van|von|in)?\s*[A-Z][\w'’&-]*)*")


def names(text: str) -> list[str]:
    """Capitalised names of ``text`` ('Edward Deci', 'Cabinet Office', 'CQC'), not its first word unless it is
    an acronym, nor words that merely start a sentence or label ('Table', 'Figure')."""
    plain = normalise_quotes(text)
    ignore = word_set("stance", "not_names")
    out = []
    for m in _CAPITALISED.finditer(plain):
        words = [w for w in m.group(0).split() if w[0].isupper() and w.lower() not in ignore and not w.isdigit()]
        before = plain[: m.start()].rstrip()
        if words and (not before or before[-1] in ".:!?\"'(") and m.group(0).split()[0] == words[0]:
            if not words[0].isupper() or len(words[0]) < 2:
                words = words[1:]  # the sentence's first word is capitalised anyway
        if words:
            out.append(" ".join(words))
    return out


def _named_in(name: str, text_words: set[str], text_acronyms: set[str]) -> bool:
    parts = [w.lower().rstrip("'’s") for w in name.split() if w.lower() not in ("of", "for", "and", "the", "in")]
    if all(p in text_words or stem(p) in text_words for p in parts):
        return True
    initials = _initials(name)
    return len(initials) >= 2 and initials.lower() in text_acronyms


def _initials(name: str) -> str:
    """A name's initials, an acronym among its words kept whole: 'HM Treasury' is HMT, 'Cabinet Office' CO."""
    return "".join(w if w.isupper() else w[0] for w in name.split() if w[0].isupper())


def _word_index(text: str) -> tuple[set[str], set[str]]:
    toks = tokens(text)
    words = {t.lower.rstrip("'’s") for t in toks} | {t.stem for t in toks} | {t.lower for t in toks}
    acronyms = {t.lower for t in toks if t.text.isupper() and len(t.text) >= 2}
    # ... and the initials of runs of two to four words: 'self determination theory' names SDT.
    acronyms |= {"".join(t.lower[0] for t in toks[i:i + n]) for n in (2, 3, 4) for i in range(len(toks) - n + 1)
                 if not any(t.figure for t in toks[i:i + n])}
    words |= {_initials(n).lower() for n in names(text) if len(_initials(n)) >= 2}  # 'HMT' names 'HM Treasury'

    return words, acronyms


def _names(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    words, acronyms = _word_index(f"{passage}\n{context}")
    mine, here = _word_index(claim), _word_index(aligned)
    claimed = names(claim)
    # Names of the aligned sentence the claim leaves out: who the passage credits instead.
    instead = [n for n in names(aligned) if not _named_in(n, *mine)]
    for name in claimed:
        if not _named_in(name, words, acronyms):
            other = f" (it names {instead[0]})" if instead else ""
            return Conflict("name", f"the passage does not mention {name}{other}", name, instead[0] if instead else "")
    # Named in the passage, but not where the sentence's point is made, which names someone else instead.
    missing = [n for n in claimed if not _named_in(n, *here)]
    if missing and instead:
        return Conflict("name", f"the passage says {instead[0]}, not {missing[0]}", missing[0], instead[0])
    # Or named in the sentences aligned, but standing where the closest one has another name ('Deci and Bruno Frey'
    # for 'Deci and Richard Ryan', Frey being named in the next sentence).
    sentences = source_sentences(passage)
    i, _, _ = align(claim, sentences)
    closest = sentences[i] if sentences else aligned
    near = _word_index(closest)
    for name in (n for n in claimed if not _named_in(n, *near)):
        for other in (n for n in names(closest) if not _named_in(n, *mine)):
            if _beside(claim, name) & _beside(closest, other):
                return Conflict("name", f"the passage says {other}, not {name}", name, other)
    return None


def _beside(text: str, name: str) -> set[tuple[str, str]]:
    """The words just before and after ``name`` in ``text`` (('before', 'and'), ('after', 'calls'))."""
    plain = normalise_quotes(text)
    at = plain.find(name)
    if at < 0:
        return set()
    before, after = plain[:at].split()[-1:], plain[at + len(name):].split()[:1]
    out = {("before", before[0].lower())} if before else set()
    word = after[0].strip(".,;:()[]").lower() if after else ""
    return out | ({("after", word)} if word else set())


# actors ----------------------------------------------------------------------------------------------
@cache
def _actor_keys() -> tuple[tuple[str, ...], ...]:
    """Each actor as a sequence of stems, longest first ('secretaries of state' ~ 'secretary of state')."""
    keys = {tuple(stem(w) for w in a.lower().split()) for a in entries("stance", "actors")}
    return tuple(sorted(keys, key=lambda k: (-len(k), k)))


@cache
def _actor_alias() -> dict[tuple[str, ...], str]:
    """Each alias (as stems) to its group's first name: lexicon [stance].actor_aliases."""
    out = {}
    for group in nested("stance", "actor_aliases"):
        for name in group:
            out[tuple(stem(w) for w in name.split())] = " ".join(stem(w) for w in group[0].split())
    return out


def _actor_spans(text: str) -> list[tuple[str, int, int]]:
    """(actor, first token, end token) for each body or office-holder ``text`` names, in order."""
    stems = [t.stem for t in tokens(text)]
    out, i = [], 0
    while i < len(stems):
        key = next((k for k in _actor_keys() if tuple(stems[i:i + len(k)]) == k), None)
        if key:
            out.append((_actor_alias().get(key, " ".join(key)), i, i + len(key)))
            i += len(key)
        else:
            i += 1
    return out


def actors(text: str) -> list[str]:
    return [a for a, _, _ in _actor_spans(text)]


def _duties(text: str) -> list[str]:
    """The actors given a duty ('the centre should', 'HMT must'): who must act is part of what a passage says."""
    toks = tokens(text)
    duty = {tuple(stem(w) for w in d.split()) for d in entries("stance", "duty")}
    return [a for a, _, end in _actor_spans(text)
            if any(tuple(t.stem for t in toks[end:end + len(d)]) == d for d in duty)]


def _actors(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    mine, theirs = actors(claim), actors(aligned)
    missing = [a for a in mine if a not in theirs and not any(a in t or t in a for t in theirs)]
    other = [t for t in theirs if t not in mine and not any(t in a or a in t for a in mine)]
    if missing and other:
        return Conflict("actor", f"the passage gives this to {other[0]}, not {missing[0]}", missing[0], other[0])
    duty_mine, duty_theirs = _duties(claim), _duties(aligned)
    if duty_mine and duty_theirs and duty_mine[0] != duty_theirs[0]:
        return Conflict("actor", f"the passage says {duty_theirs[0]} should do this, not {duty_mine[0]}",
                        duty_mine[0], duty_theirs[0])
    return None


# numbers bound to what they count ---------------------------------------------------------------------
def _figures(toks: Sequence[Token]) -> list[Token]:
    """The figures of a sentence, without the second half of a year span ('2017/18')."""
    return [t for t in toks if t.figure and not (t.index and toks[t.index - 1].figure and len(t.text) <= 2)]


def _bound_words(toks: Sequence[Token]) -> set[str]:
    stop = word_set("stance", "unit_words")
    return {t.stem for t in _content(toks) if t.lower not in stop}


def bindings(text: str, *, local: bool = False) -> list[tuple[str, set[str]]]:
    """Each figure of ``text`` with the words it counts.

    A source (``local``) binds a figure to the words of its own clause ('staff shortages (55 per cent)': a
    bare '55 per cent' in brackets takes the clause before it). A restating sentence binds every word to its
    nearest figure, the words before a figure nearer than those after it. Figures side by side ('1980s and
    90s', '-0.15 and -0.17') share their words: which goes with which is for the list-order rule.
    """
    out: list[tuple[str, set[str]]] = []
    for sentence in source_sentences(text):
        toks = tokens(_citations().sub(lambda m: m.group("keep") or " ", sentence))
        figs = _figures(toks)
        if not figs:
            continue
        bound: dict[int, set[str]] = {}
        if local:
            clauses: dict[int, list[Token]] = {}
            piece, previous = 0, -1
            for t in toks:
                if t.clause != previous:
                    piece, previous = piece + 1, t.clause
                elif t.lower in _JOINS and any(f.clause == t.clause and f.index < t.index for f in figs):
                    piece += 1  # 'social care was 14 per cent and with GP services 35 per cent'
                clauses.setdefault(piece, []).append(t)
            where = {t.index: k for k, ts in clauses.items() for t in ts}
            figs_at = {f.index: where[f.index] for f in figs}
            for f in figs:
                words = _bound_words(clauses[figs_at[f.index]])
                back = figs_at[f.index] - 1
                while not words and back >= 0:
                    words = _bound_words(clauses.get(back, []))
                    back -= 1
                bound[f.index] = words
        else:
            bound = {f.index: set() for f in figs}
            # A clause of its own opening with 'yet', 'but', 'while' ... and giving no figure states something else
            # ('up 10 per cent, yet fewer people get support'): its words count nothing the other clause's figure does.
            first: dict[int, str] = {}
            for t in toks:
                first.setdefault(t.clause, t.lower)
            apart = {c for c, word in first.items() if word in _JOINS and not any(f.clause == c for f in figs)}
            for t in _content(toks):
                if t.clause in apart:
                    continue

                def distance(f: Token, t: Token = t) -> float:
                    return abs(t.index - f.index) * (1.0 if t.index < f.index else 1.6) + 3 * abs(t.clause - f.clause)

                bound[min(figs, key=distance).index].add(t.stem)
        for a, b in zip(figs, figs[1:], strict=False):
            if b.index - a.index <= 3 and a.clause == b.clause:
                bound[a.index] = bound[b.index] = bound[a.index] | bound[b.index]
        out += [(f.figure, bound[f.index]) for f in figs]
    return out


@cache
def _citations() -> re.Pattern[str]:
    return re.compile(alternation(entries("stance", "citation")))


@lru_cache(maxsize=4096)  # asked for each pair of a claim's and a sentence's cues: the same two texts again and again
def same_measure(claim: str, sentence: str) -> bool:
    """Does a figure of ``sentence`` count what a figure of ``claim`` counts? Each figure is bound to the words of its
    own clause (``bindings(local=True)``); two figures measure the same thing when those words share one that is not a
    place or a unit ('18 per cent of all UK jobs' and '0.7 per cent a year' of UK productivity share only 'UK').
    A claim's bracketed figure ('about half the public (51%) satisfied with the NHS') is bound by the words on both
    sides; a claim whose figure is a share in words ('roughly a quarter') by its whole clause."""
    ignore = {stem(w) for w in word_set("stance", "not_names")}
    theirs = [w - ignore for f, w in bindings(sentence, local=True) if not _is_year(f)]
    unbracketed = re.sub(r"[()]", " ", claim)
    mine = [w - ignore for f, w in bindings(unbracketed, local=True) if not _is_year(f)] or [content_stems(claim) - ignore]
    return any(a & b for a in mine for b in theirs)


_JOINS = frozenset(("and", "while", "whilst", "whereas", "but", "yet", "before", "after", "although", "though"))


def _own_words(claim_bound: list[tuple[str, set[str]]], figure: str, source: list[tuple[str, set[str]]]) -> bool:
    words = set().union(*(w for f, w in claim_bound if f == figure))
    own = max((len(words & w) for f, w in source if f == figure), default=0)
    return own >= max((len(words & w) for f, w in source if f != figure), default=0)


@cache
def _respectively() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(entries('stance', 'respectively'))})\b", re.I)


def gives_respectively(sentence: str) -> bool:
    """Does ``sentence`` give figures in the order of items named before it ('... -0.36 and -0.28 respectively')?"""
    return len([f for f in figures(sentence) if not f.is_year]) >= 2 and bool(_respectively().search(sentence))


def _respective(claim: str, passage: str) -> Conflict | None:
    """A figure of a list given to the wrong item of a parallel list ('engagement- and completion-contingent
    rewards ... (d = -0.15 and -0.17)'): items are compounds sharing their last part ('X-contingent'), in order."""
    plain = normalise_quotes(passage)
    since = 0
    for run in _FIGURE_LIST.finditer(plain):
        values = [f.value for f in figures(run.group(0))]
        compounds = list(_COMPOUND.finditer(plain[since : run.start()]))  # the items this list of figures follows
        since = run.end()
        by_head: dict[str, list[str]] = {}
        for m in compounds:
            items = by_head.setdefault(m.group(2).lower(), [])
            if m.group(1).lower() not in items:
                items.append(m.group(1).lower())
        for head, items in by_head.items():
            if len(items) != len(values):
                continue
            named = [i for i, item in enumerate(items) if re.search(rf"\b{re.escape(item)}-{re.escape(head)}", claim, re.I)]
            stated = [i for i, v in enumerate(values) if v in {f.value for f in figures(claim)}]
            if len(named) == 1 and stated and named[0] not in stated:
                item = f"{items[named[0]]}-{head}"
                return Conflict("number_misbound", f"the passage gives {values[named[0]]} for {item}, not "
                                f"{values[stated[0]]}", values[stated[0]], values[named[0]])
    return None


_FIGURE_LIST = re.compile(r"-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)*\s*,?\s+and\s+-?\d+(?:\.\d+)?")
_COMPOUND = re.compile(r"\b([a-z]+)-([a-z]{3,})\b", re.I)


def dated(text: str) -> list[tuple[str, str]]:
    """(figure, year) for each figure followed closely by its year ('22.1 per cent in 2019')."""
    out = []
    for sentence in source_sentences(text):
        toks = tokens(sentence)
        figs = _figures(toks)
        for f in figs:
            if _is_year(f.figure):
                continue
            year = next((g for g in figs if g.index > f.index and _is_year(g.figure)), None)
            if year and year.index - f.index <= 4:
                out.append((f.figure, year.figure))
    return out


_YEAR_ROLE = re.compile(r"\b(by|in|since|until|from|to|before|after)\s+((?:19|20)\d\d)\b", re.I)


def _year_roles(text: str) -> set[tuple[str, str]]:
    """Each year with the word that gives its role ('by 2035' a deadline, 'since 2010' a starting point)."""
    return {(m.group(1).lower(), m.group(2)) for m in _YEAR_ROLE.finditer(normalise_quotes(text))}


def _is_year(figure: str) -> bool:
    return len(figure) == 4 and figure.isdigit() and figure[:2] in ("19", "20")


def _misbound(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    source = bindings(passage, local=True)
    claim_bound = bindings(claim)
    claim_figures = {f for f, _ in claim_bound}
    for figure, words in claim_bound:
        own = [w for f, w in source if f == figure]
        if not own or not words:
            continue
        mine = max(len(words & w) for w in own)
        # A rival the claim states too, with its own words, is not one it confused ('fell 7 points to 29 per cent').
        rivals = [(len(words & w), f, w) for f, w in source if f != figure and _is_year(f) == _is_year(figure)
                  and not (f in claim_figures and _own_words(claim_bound, f, source))]
        best = max(rivals, default=(0, "", set()), key=lambda r: r[0])
        if best[0] >= 2 and best[0] > mine:
            label = ", ".join(sorted(words & best[2]))
            return Conflict("number_misbound", f"the passage gives {best[1]}, not {figure}, for that ({label})",
                            figure, best[1])
    respective = _respective(claim, passage)
    if respective:
        return respective
    placed = _year_roles(passage)
    for role, year in _year_roles(claim):
        other = [y for r, y in placed if r == role and y != year]
        if (role, year) not in placed and other and re.search(rf"\b{year}\b", passage):  # its year, in another role
            return Conflict("number_misbound", f"the passage says “{role} {other[0]}”, not “{role} {year}”",
                            f"{role} {year}", f"{role} {other[0]}")
    theirs = dated(passage)
    for figure, year in dated(claim):
        if (figure, year) in theirs:
            continue
        when = [y for f, y in theirs if f == figure]
        what = [f for f, y in theirs if y == year]
        if when and what:
            return Conflict("number_misbound", f"the passage gives {figure} for {when[0]} and {what[0]} for {year}",
                            f"{figure} in {year}", f"{figure} in {when[0]}")
    return None


# direction -------------------------------------------------------------------------------------------
@cache
def _directions() -> tuple[re.Pattern[str], dict[str, tuple[int, int]]]:
    side: dict[str, tuple[int, int]] = {}
    for dim, (up, down) in enumerate(nested("stance", "directions")):
        side.update({w: (dim, 1) for w in up})
        side.update({w: (dim, -1) for w in down})
    return re.compile(rf"\b(?:{phrases(tuple(side))})\b", re.I), side


def _negated(text: str, start: int) -> bool:
    """Is the word at ``start`` denied by a negator just before it, in the same verb phrase ('not by higher')?"""
    if _SET_ASIDE.search(text[max(0, start - 40):start]):
        return True  # 'rather than (from) higher outputs' sets the word aside
    clause = _BREAK.split(text[:start])[-1]  # a negator before a comma ('than not, a large minority') denies nothing here
    before = [w.strip(",.;:").lower() for w in clause.split()[-_NEGATOR_REACH:]]
    for i, w in enumerate(before):
        if strict_negation().fullmatch(w) or w in word_set("stance", "near_negators"):
            return not set(before[i + 1:]) & _AUXILIARIES
    return False


_SET_ASIDE = re.compile(r"\b(?:rather than|instead of|not by)\s+(?:\w+\s+){0,2}$", re.I)
_AUXILIARIES = frozenset("is are was were be been being has have had".split())


def directions(text: str) -> list[tuple[int, int, str]]:
    """(dimension, +1 or -1, word) for each direction word of ``text``, flipped when negated."""
    return [(dim, sign, word) for dim, sign, word, _ in _placed_directions(text)]


def _placed_directions(text: str) -> list[tuple[int, int, str, int]]:
    pattern, side = _directions()
    plain = normalise_quotes(text)
    out = []
    for m in pattern.finditer(plain):
        dim, sign = side[m.group(0).lower()]
        out.append((dim, -sign if _negated(plain, m.start()) else sign, m.group(0), m.end()))
    return out


def _objects(text: str) -> list[tuple[int, int, str, set[str]]]:
    """Each direction word with the few content words it governs ('increased *free-choice behaviour*')."""
    _, side = _directions()
    plain = _BRACKETS.sub(" ", normalise_quotes(text))  # '(figure 1.2)' is a reference, not an object
    out = []
    for dim, sign, word, end in _placed_directions(plain):
        after = [t for t in _content(tokens(plain[end:])) if t.lower not in side][:3]
        out.append((dim, sign, word, {t.stem for t in after}))
    return out


def _reversal(claim: str, word: str, other: str) -> Conflict:
    """'the passage says X, not Y', or, when the sentence negates the passage's own word, that it adds a 'not'."""
    m = re.search(rf"\b{re.escape(word)}\b", normalise_quotes(claim))
    if m and _negated(normalise_quotes(claim), m.start()):
        return Conflict("negation", f"it says 'not' {word} where the passage says “{other}”", f"not {word}", other)
    return Conflict("opposite", f"the passage says “{other}”, not “{word}”", word, other)


def _prefixed(claim: str, aligned: str) -> Conflict | None:
    """A word of the sentence whose prefixed opposite the passage uses instead ('underestimated' for
    'overestimated', 'extrinsic' for 'intrinsic', 'dissatisfied' for 'satisfied'): lexicon [stance].prefix_opposites."""
    mine = {t.lower for t in tokens(claim)}
    theirs = {t.lower: t.text for t in tokens(aligned)}
    for word in sorted(mine - set(theirs)):
        for a, b in nested("stance", "prefix_opposites"):
            for this, that in ((a, b), (b, a)):
                if not word.startswith(this) or len(word) - len(this) < 5:
                    continue
                other = that + word[len(this):]
                if other in theirs and other not in mine:
                    return Conflict("antonym", f"the passage says “{theirs[other]}”, not “{word}”", word, theirs[other])
    return None


def _opposite(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    prefixed = _prefixed(claim, aligned)
    if prefixed:
        return prefixed
    converse = _converse(claim, aligned)  # 'B higher than A' restates 'A lower than B'
    theirs_objects = [o for o in _objects(aligned) if o[0] not in converse]
    for dim, sign, word, governed in _objects(claim):
        if dim in converse:
            continue
        same = max((len(governed & g) for d, s, _, g in theirs_objects if d == dim and s == sign), default=0)
        against = [(len(governed & g), w) for d, s, w, g in theirs_objects if d == dim and s != sign and governed & g]
        if against and len(governed) >= 2:
            overlap, w = max(against, key=lambda x: x[0])
            if overlap > same:
                return _reversal(claim, word, w)
    # No shared object to go by: count each side, but only words whose objects the claim mentions at all.
    stems = content_stems(claim)
    mine = [d for d in directions(claim) if d[0] not in converse]
    extremes = word_set("stance", "superlatives")  # 'the lowest level since 1983' rates the sentence's subject
    theirs = [(d, s, w) for d, s, w, g in theirs_objects if g & stems or not g or w.lower() in extremes]
    a, b = Counter((d, s) for d, s, _ in mine), Counter((d, s) for d, s, _ in theirs)
    for dim, sign, word in mine:
        if a[(dim, sign)] > b[(dim, sign)] and b[(dim, -sign)] > a[(dim, -sign)]:
            other = next(w for d, s, w in theirs if d == dim and s == -sign)
            return _reversal(claim, word, other)
    return None


# negation --------------------------------------------------------------------------------------------
def _negation(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    claim_n, aligned_n = normalise_quotes(claim), normalise_quotes(aligned)
    # Anywhere in the passage: a sentence may sum up two ('... Reform cannot fix the problem').
    source = normalise_quotes(passage)
    denied = {m.group(0).lower() for m in strict_negation().finditer(source)}
    if re.search(r"\bnon-|\bun[a-z]{4,}", source, re.I):
        denied |= {"not", "no"}  # 'non-measured outcomes' ~ 'outcomes that are not measured'
    if {t.lower for t in tokens(source)} & word_set("stance", "privatives"):
        denied |= {"not", "no", "without"}  # 'without market forces' ~ 'the absence of market forces'
    added = {m.group(0).lower() for m in strict_negation().finditer(claim_n)} - denied
    if added:
        word = sorted(added)[0]
        return Conflict("negation", f"it says '{word}' where the passage does not", word, "")
    mine = tokens(claim_n)
    stop = stopwords()
    if len(strict_negation().findall(aligned_n)) >= 2:
        return None  # 'this does not mean X can never work': two negators cancel, and rules cannot tell how
    for m in strict_negation().finditer(aligned_n):
        after = _TOKEN.search(aligned_n, m.end())
        if not after or after.group(0).lower() in stop or after.start() - m.end() > 1:
            continue
        target = stem(after.group(0))
        if len(re.findall(rf"\b{re.escape(m.group(0))}\b", claim_n, re.I)) >= len(
                re.findall(rf"\b{re.escape(m.group(0))}\b", aligned_n, re.I)):
            continue  # the sentence keeps the negator, elsewhere ('... and reform cannot')
        hits = [t for t in mine if t.stem == target]
        if hits and not any(_negated(claim_n, _offset(claim_n, t)) for t in hits):
            said = f"{m.group(0)} {after.group(0)}"
            return Conflict("negation", f"the passage says “{said}”; the sentence drops the “{m.group(0)}”",
                            after.group(0), said)
    return None


def _offset(text: str, token: Token) -> int:
    for i, m in enumerate(_TOKEN.finditer(text)):
        if i == token.index:
            return m.start()
    return 0


# hedges ----------------------------------------------------------------------------------------------
@cache
def _hedge_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return (re.compile(rf"\b(?:{phrases(entries('stance', 'hedges'))})\b", re.I),
            re.compile(rf"\b(?:{phrases(entries('stance', 'boosters'))})\b", re.I))


def _words_of(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """The matches of a hedge or booster pattern that are not part of a name: a capitalised word beside another
    capitalised word in mid-line ('Theresa May', 'Will Hutton') names someone rather than hedging. A line or table
    cell may open with one ('Targets<tab>Can drive improvement'): that is a hedge."""
    out = []
    for m in pattern.finditer(text):
        if m.group(0)[0].isupper() and _in_name(text, m.start(), m.end()):
            continue
        out.append(m)
    return out


def _in_name(text: str, start: int, end: int) -> bool:
    before = text[:start]
    kept = before.rstrip()
    gap = before[len(kept):]
    if not kept or "\n" in gap or "\t" in gap or kept[-1] in ".!?:;\"“‘'(-•*":
        return False  # it opens a sentence, line or table cell
    return any(w[:1].isupper() for w in kept.split()[-1:] + text[end:].split()[:1])


def _governed(text: str, end: int) -> set[str]:
    """The few content words after a hedge, in its clause: what it hedges."""
    after = tokens(text[end:])
    return {t.stem for t in _content(after)[:4] if t.clause == (after[0].clause if after else 0)}


def _governs(text: str, end: int, claim_stems: set[str]) -> bool:
    """Do the few words after a hedge ('can *reduce costs*') appear in the claim (as kin: 'excellence' ~ 'excellent')?"""
    following = {t.stem for t in _content(tokens(text[end:]))[:4]}
    return any(_kin(a, b) for a in following for b in claim_stems)


def _kin(a: str, b: str) -> bool:
    """Same stem, or one word family the stemmer leaves apart ('excellence', 'excellent'): a shared 6-letter start."""
    return a == b or (len(a) >= 6 and len(b) >= 6 and a[:6] == b[:6])


def _opening(text: str, n: int) -> str:
    """The first ``n`` words of ``text`` to quote in a reason: '…' when the sentence goes on, its own stop when not."""
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


@cache
def _doubt_pattern() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{phrases(entries('stance', 'doubts'))})\b(?:\s+(?:that|it|they|this))*", re.I)


def _doubted(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    """The passage casts doubt ('limited evidence it can drive excellence') on what the claim asserts."""
    claim_n, aligned_n = normalise_quotes(claim), normalise_quotes(aligned)
    if _doubt_pattern().search(claim_n) or strict_negation().search(claim_n):
        return None
    stems = content_stems(claim_n)
    for m in _doubt_pattern().finditer(aligned_n):
        following = [t for t in _content(tokens(aligned_n[m.end():]))[:4]]
        distinctive = {t.stem for t in following} - _topic(aligned_n[: m.start()])
        if any(_kin(a, b) for a in distinctive for b in stems):
            phrase = _opening(aligned_n[m.start():], 6)
            return Conflict("doubt", f"the passage finds “{phrase}”, which the sentence asserts", "", m.group(0))
    return None


def grants_beside_doubt(claim: str, sentence: str) -> bool:
    """Does ``claim`` also state what ``sentence`` grants across a contrast from its doubt ('Some evidence that it can
    drive providers from poor to good - but limited evidence it can drive excellence')? A claim stating both halves is
    half right; one stating only the doubted half is wrong ('from good to excellent' shares only 'providers' and
    'good' with 'from poor to good'). Stating means three of the granted half's own words."""
    pieces = patterns().contrast.split(normalise_quotes(sentence))
    doubted = [p for p in pieces if _doubt_pattern().search(p)]
    granted = [p for p in pieces if not _doubt_pattern().search(p)]
    if not doubted or not granted:
        return False
    mine = content_stems(normalise_quotes(claim))
    against = set().union(*(content_stems(p) for p in doubted))
    return any(len((content_stems(p) - against) & mine) >= 3 for p in granted)


_CONDITION = re.compile(r"\b(?:if|whether|unless)\b(?:\s+\w+){0,3}\s*$", re.I)  # 'even if we can achieve'


def _hedge(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    hedge, booster = _hedge_patterns()
    claim_n, aligned_n = normalise_quotes(claim), normalise_quotes(aligned)
    stems = content_stems(claim_n)
    theirs = [m for m in _words_of(hedge, aligned_n)
              if _governs(aligned_n, m.end(), stems) and not _CONDITION.search(aligned_n[max(0, m.start() - 30):m.start()])]
    mine_hedges = {m.group(0).lower() for m in _words_of(hedge, claim_n)}
    boosted = [m.group(0) for m in _words_of(booster, claim_n)
               if m.group(0).lower() not in {b.group(0).lower() for b in _words_of(booster, aligned_n)}]
    if boosted and (theirs or not mine_hedges):
        said = f"; the passage says “{theirs[0].group(0)}”" if theirs else ""
        return Conflict("hedge", f"the sentence says “{boosted[0]}”{said}", boosted[0], theirs[0].group(0) if theirs else "")
    # A hedge the sentence drops: one of the passage's whose words it states with no hedge before them ('can drive
    # improvement ... Can lead to gaming' restated as 'can drive improvement ... and they lead to gaming').
    kept = [_governed(claim_n, m.end()) | content_stems(m.group(0)) for m in _words_of(hedge, claim_n)]  # 'achievable
    dropped = [h for h in theirs if not any(_kin(a, b) for g in kept for a in g for b in _governed(aligned_n, h.end()))]
    if dropped:
        h = dropped[0]
        phrase = _opening(aligned_n[h.start():], 4)
        return Conflict("hedge", f"the passage hedges it (“{phrase}”); the sentence states it as certain",
                        "", h.group(0))
    firm = [m.group(0) for m in _words_of(booster, aligned_n) if _governs(aligned_n, m.end(), stems)]
    extra = mine_hedges - {m.group(0).lower() for m in _words_of(hedge, aligned_n)}
    if firm and extra:
        return Conflict("hedge", f"the passage says “{firm[0]}”; the sentence softens it (“{sorted(extra)[0]}”)",
                        sorted(extra)[0], firm[0])
    return None


# quantifiers -----------------------------------------------------------------------------------------
@cache
def _quantifier_levels() -> tuple[re.Pattern[str], dict[str, int]]:
    levels = {w: i for i, level in enumerate(groups("quantifiers", "scale")) for w in level}
    levels.update({w: int(level) for w, level in nested("stance", "quantifier_levels")})
    return re.compile(rf"\b(?:{phrases(tuple(levels))})\b", re.I), levels


def quantified(text: str) -> list[tuple[str, int]]:
    """Each quantifier of ``text`` with its level; 'most' and 'more' of a superlative or comparative ('the most
    popular', 'more sceptical', 'most often') are not quantifiers."""
    pattern, levels = _quantifier_levels()
    plain = normalise_quotes(text)
    out = []
    for m in pattern.finditer(plain):
        word = m.group(0).lower()
        before = plain[max(0, m.start() - 12):m.start()].lower().split()
        after = _TOKEN.search(plain, m.end())
        nxt = after.group(0).lower() if after else ""
        if word in ("most", "more") and (before[-1:] == ["the"] or nxt in word_set("stance", "graded")
                                          or nxt.endswith(_ADJECTIVE_ENDINGS) or nxt == "than"):
            continue
        if before[-1:] in (["most"], ["more"]):
            continue
        out.append((word, levels[word]))
    return out


def _quantified_words(text: str) -> list[set[str]]:
    """The content words right after each quantifier of ``quantified(text)``, in the same order."""
    pattern, _ = _quantifier_levels()
    plain = normalise_quotes(text)
    found = quantified(text)
    words = {w for w, _ in found}
    out = [{t.stem for t in _content(tokens(plain[m.end():]))[:3]}
           for m in pattern.finditer(plain) if m.group(0).lower() in words]
    return out if len(out) == len(found) else [set() for _ in found]


_ADJECTIVE_ENDINGS = ("ly", "al", "ful", "ive", "ous", "ent", "ant", "ic", "ed", "ar", "ble")


def _quantifier(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    mine, theirs = quantified(claim), quantified(aligned)
    said = {w for w, _ in theirs}
    levels = {level for _, level in theirs}
    # A quantifier of the same words ('*all* existing committee structures' for '*most* existing ...') is compared
    # with that one alone, not with one the passage puts on something else ('for each mission').
    mine_of, theirs_of = _quantified_words(claim), _quantified_words(aligned)
    for (word, level), governed in zip(mine, mine_of, strict=True):
        same = [(w, lv) for (w, lv), g in zip(theirs, theirs_of, strict=True) if g and len(g & governed) >= 2]
        if same and level not in {lv for _, lv in same} and word not in {w for w, _ in same}:
            other = same[0][0]
            return Conflict("quantifier", f"the passage says “{other}”, not “{word}”", word, other)
    for word, level in mine:
        if word in said or level in levels or not theirs:
            continue
        other = min(theirs, key=lambda t: abs(t[1] - level))[0]
        return Conflict("quantifier", f"the passage says “{other}”, not “{word}”", word, other)
    return None


# order -----------------------------------------------------------------------------------------------
@cache
def _frames() -> list[tuple[str, re.Pattern[str], bool]]:
    """(family, pattern with groups a and b, reversed?) for each ordered frame of the lexicon."""
    out = []
    for family, opening, middle, flip, _ in nested("stance", "frames"):
        side = r"((?:[\w'’-]+,?\s+){0,7}?[\w'’-]+)"
        if opening:
            pattern = rf"\b{re.escape(opening)}\s+{side}\s+{re.escape(middle)}\s+{side}(?=[.;:)]|\s*$|,|\s+(?:and|but|as|so)\b)"
        else:
            pattern = rf"{side}\s+{re.escape(middle)}\s+{side}(?=[.;:)]|\s*$|,|\s+(?:and|but|as|so)\b)"
        out.append((family, re.compile(pattern, re.I), bool(flip)))
    return out


def ordered(text: str) -> list[tuple[str, set[str], set[str]]]:
    """(family, first side, second side) for each ordered frame, with 'not by X but by Y' as 'Y rather than X'.

    A frame with no opening word ('X rather than Y') cannot tell where X starts, so its sides are the two
    content words nearest the frame; 'from X to Y' has both ends and keeps every word."""
    plain = normalise_quotes(text).replace('"', "")
    near = {row[0]: row[4] == "near" for row in nested("stance", "frames")}
    out = []
    for version in (plain, _BRACKETS.sub(" ", plain)):
        for family, pattern, flip in _frames():
            for m in pattern.finditer(version):
                a, b = [t.stem for t in _content(tokens(m.group(1)))], [t.stem for t in _content(tokens(m.group(2)))]
                if near[family]:
                    a, b = a[-2:], b[:2]
                pair = (family, set(b), set(a)) if flip else (family, set(a), set(b))
                out.append(pair)
    return out


_BRACKETS = re.compile(r"\([^()]*\)")


def _order(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    for family, a, b in ordered(claim):
        for other_family, c, d in ordered(aligned):
            if family != other_family:
                continue
            straight, crossed = len(a & c) + len(b & d), len(a & d) + len(b & c)
            if crossed > straight and a & d and b & c:
                return Conflict("order", "the passage has it the other way round", " ".join(sorted(a)),
                                " ".join(sorted(c)))
    return _compared(claim, aligned)


_COMPARED = re.compile(r"\b(?<!rather )(?:than|compared (?:to|with))\b", re.I)  # 'rather than' sets aside


@lru_cache(maxsize=4096)
def comparisons(text: str) -> list[tuple[int, int, str, set[str], set[str]]]:
    """(dimension, sign, word, what comes before, what it is compared with) for each comparative of ``text``: the
    direction word, the content words of its sentence before 'than' / 'compared to' (or before the word, when there
    is none), and the few after it, to the end of that clause ('lower *than in peer countries*')."""
    _, side = _directions()
    out = []
    for sentence in source_sentences(normalise_quotes(text)):
        placed = _placed_directions(sentence)
        for k, (dim, sign, word, end) in enumerate(placed):
            # Its own 'than': the next one, with no other comparative between ('more than twice ... no smaller than').
            marker = _COMPARED.search(sentence, end)
            if marker and k + 1 < len(placed) and placed[k + 1][3] <= marker.start():
                marker = None
            if marker:
                before = _topic(sentence[: marker.start()])
                after = tokens(sentence[marker.end():])
                compared = {t.stem for t in _content(after) if t.clause == (after[0].clause if after else 0)
                            and t.lower not in side}
            else:
                before, compared = _topic(sentence[: end - len(word)]), set()
            out.append((dim, sign, word, before, compared))
    return out


def _by_figures(claim: str, aligned: str) -> Conflict | None:
    """A comparison the passage's own figures settle the other way: 'more people were satisfied than dissatisfied'
    where it gives 30 per cent satisfied and 40 per cent dissatisfied. Each side takes the figure whose words it
    holds most of, and neither may take the other's."""
    source = [(f, w) for f, w in bindings(aligned, local=True) if not _is_year(f)]
    if len(source) < 2:
        return None
    for _, sign, word, before, compared in comparisons(claim):
        if not compared or word.lower() not in word_set("stance", "magnitudes"):
            continue
        mine = before - compared

        def figure(words: set[str], other: set[str]) -> str | None:
            scored = sorted(((len(words & w), -len(other & w), f) for f, w in source), reverse=True)
            return scored[0][2] if scored and scored[0][0] and scored[0][1] == 0 else None

        a, b = figure(mine, compared), figure(compared, mine)
        if a is None or b is None or a == b:
            continue
        x, y = _as_number(a), _as_number(b)
        if x is not None and y is not None and x != y and (x > y) != (sign > 0):
            return Conflict("comparison", f"the passage gives {a} against {b}, so it is the other way round", word,
                            f"{a} / {b}")
    return None


def _as_number(figure: str) -> float | None:
    try:
        return float(figure.replace(",", "").lstrip("£").rstrip("bmk"))
    except ValueError:
        return None


def _converse(claim: str, aligned: str) -> set[int]:
    """Dimensions the sentence states as the converse of the passage's comparison: the opposite comparative with the
    two sides crossed ('in cities bus use is higher than in rural areas' for 'rural areas ... lower than in cities')."""
    theirs = comparisons(aligned)
    out = set()
    for dim, sign, _, before, compared in comparisons(claim):
        for d, s, _, their_before, their_compared in theirs:
            if d == dim and s == -sign and compared and their_compared and compared & their_before \
                    and their_compared & before and not compared & their_compared:
                out.add(dim)
    return out


def _compared(claim: str, aligned: str) -> Conflict | None:
    """The two sides of a comparison swapped, the comparative kept: 'lower in peer countries than in the UK' for 'in
    the UK ... lower than in peer countries', or 'A is a stronger driver than B' where the passage says B is the
    stronger. With the opposite comparative ('B weaker than A') the swap is the same statement."""
    theirs = comparisons(aligned)
    weighed = _by_figures(claim, aligned)
    if weighed:
        return weighed
    for dim, sign, word, before, compared in comparisons(claim):
        if not compared:
            continue
        alike = [t for t in theirs if t[0] == dim and t[1] == sign]
        same_word = [t for t in alike if stem(t[2]) == stem(word)]  # 'more' is compared with the passage's 'more'
        for _, _, w, their_before, their_compared in same_word or alike:
            moved = compared & (their_before - their_compared)
            if moved and not compared & their_compared and (not their_compared or their_compared & before):
                return Conflict("comparison", f"the passage has the comparison the other way round (“{w}”)", word, w)
    return None


# roles -----------------------------------------------------------------------------------------------
_OF = frozenset(("of", "in", "for", "with", "on"))
_PIVOTS = frozenset(("than", "from", "to"))
_COORDINATORS = frozenset(("and", "or", "nor"))  # short words whose two sides are not interchangeable
_ARTICLES = frozenset(("the", "a", "an", "its", "their"))
_ROLE_REACH = 4  # content words between the shared word and each swapped one, at most, in both sentences


@dataclass(frozen=True)
class _Placed:
    """The words of a sentence used once, by stem (figures by value), with their place among its words and
    content words, and the pairs of them written side by side ('funding increases')."""

    place: dict[str, int]
    rank: dict[str, int]
    touching: frozenset[tuple[str, str]]
    joined: frozenset[tuple[str, str]]
    passives: int
    around: dict[str, tuple[str, str]]  # the words before and after each ('' at a clause's edge), articles skipped
    words: dict[str, str]  # as written
    tokens: list[Token]

    def one_phrase(self, a: str, b: str) -> bool:
        return (a, b) in self.touching or (b, a) in self.touching or (a, b) in self.joined or (b, a) in self.joined


@lru_cache(maxsize=4096)
def _placed(text: str) -> _Placed:
    toks = tokens(text)
    # Figures and words of five letters or more may be the middle word too ('report to', 'before', 'because').
    content = {t.index for t in _content(toks)} | {
        t.index for t in toks if t.figure or len(t.lower) >= 5 or t.lower in _PIVOTS}
    keyed = [(t.figure or t.stem, t) for t in toks if t.index in content]
    seen = Counter(k for k, _ in keyed)
    # A stem used twice ('regulators', 'regulation') keys its words as written, when each is used once.
    keyed = [(k if seen[k] == 1 else t.lower, t) for k, t in keyed]
    seen = Counter(k for k, _ in keyed)
    once = [(k, t) for k, t in keyed if seen[k] == 1]
    at = {t.index: k for k, t in once}
    # 'funding increases' (side by side) and 'increases in funding' (joined by 'of', 'in' ...): one noun phrase.
    touching = frozenset((at[t.index], at[t.index + 1]) for t in toks[:-1]
                         if t.index in at and t.index + 1 in at and toks[t.index + 1].clause == t.clause)
    joined = frozenset((at[t.index], at[t.index + gap]) for t in toks for gap in (2, 3)
                       if t.index in at and t.index + gap in at and toks[t.index + 1].lower in _OF
                       and all(u.lower in _ARTICLES for u in toks[t.index + 2 : t.index + gap]))
    # 'by' before a word that is not a figure or a date: a passive ('chaired by the PM'), whose doer follows its verb.
    passives = sum(1 for t, u in zip(toks, toks[1:], strict=False) if t.lower == "by" and not u.figure)
    def beside(t: Token, step: int) -> str:
        i = t.index + step
        while 0 <= i < len(toks) and toks[i].lower in _ARTICLES:
            i += step
        return toks[i].stem if 0 <= i < len(toks) and toks[i].clause == t.clause else ""

    around = {k: (beside(t, -1), beside(t, 1)) for k, t in once}
    words = {k: t.text for k, t in once}
    return _Placed({k: t.index for k, t in once}, {k: r for r, (k, _) in enumerate(once)}, touching, joined, passives,
                   around, words, toks)


def _roles(claim: str, aligned: str, passage: str, context: str) -> Conflict | None:
    """Two words the sentence shares with its source, on the other sides of a third they share, each side swapped:
    the source has X before P before Y, the sentence Y before P before X ('advise Parliament and report to
    government' for 'advise government and report to Parliament'). A clause moved whole keeps its words in order,
    so only a swap reverses the three. Left alone, as paraphrase: a change of voice ('chaired by'), which flips the
    order; a compound turned round ('funding increases' for 'increases in funding'); words more than
    ``_ROLE_REACH`` content words apart (phrases moved to the front). Why word order and not a parser: no dependency
    parser ships in a package here (../shared/STACK.md)."""
    mine, theirs = _placed(claim), _placed(aligned)
    if mine.passives != theirs.passives or _converse(claim, aligned):
        return None  # a change of voice, or a comparison stated the other way round, turns the order round too
    shared = [k for k in theirs.place if k in mine.place]
    stop = {stem(w) for w in stopwords()}
    words = [k for k in shared if not k[0].isdigit() and k not in stop]

    def near(a: str, b: str) -> bool:
        turned = mine.one_phrase(a, b) and theirs.one_phrase(a, b)  # 'funding increases' ~ 'increases in funding'
        return not turned and all(abs(side.rank[a] - side.rank[b]) <= _ROLE_REACH + 1 for side in (mine, theirs))

    def listed(x: str, y: str) -> bool:
        """Are the two items of one list ('sectors and actors, public and private'), in either sentence?"""
        return any(sum(t.lower not in _COORDINATORS for t in side.tokens[min(side.place[x], side.place[y]) + 1 :
                                                                         max(side.place[x], side.place[y])]) <= 1
                   for side in (mine, theirs))

    def took_place(x: str, y: str) -> bool:
        """Does one word stand where the other stood ('advise *Parliament*' for 'advise *government*')?"""
        return any(a and a == b for one, two in ((x, y), (y, x))
                   for a, b in zip(mine.around[one], theirs.around[two], strict=True))

    for p in shared:
        # Words before the middle one in the source and after it in the sentence, then the reverse.
        before = [x for x in words if theirs.place[x] < theirs.place[p] and mine.place[x] > mine.place[p]]
        after = [y for y in words if theirs.place[y] > theirs.place[p] and mine.place[y] < mine.place[p]]
        for x in before if after else ():
            if not near(x, p):
                continue
            for y in after:
                if near(p, y) and took_place(x, y) and not listed(x, y):
                    a, b = theirs.words[x], theirs.words[y]
                    return Conflict("role", f"the passage has “{a}” and “{b}” the other way round", mine.words[y], a)
    return None
