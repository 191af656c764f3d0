"""Words: quote normalisation, tokens, the one stemmer, content terms, negations, hedges, quantifiers, antonyms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from assistant.text.lexicon import entries, groups, phrases, word_set

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
# Search terms: words and numbers ('0.7', '1,000'); content words: also '£' and joined words ('long-term').
_TERM = re.compile(r"[a-z0-9]+(?:&[a-z0-9]+)*(?:[.,][0-9]+)*")  # 'A&E' and 'R&D' are one term each
_WORD = re.compile(r"[a-z0-9£]+(?:[.'’-][a-z0-9]+)*")
_VOCABULARY_WORD = re.compile(r"[a-z0-9]+(?:[.,'’-][a-z0-9]+)*")


def normalise_quotes(text: str) -> str:
    """Curly quotes and apostrophes as straight ones, so "NHS’s" and "NHS's" compare equal."""
    return text.translate(_QUOTES)


def comparable(text: str) -> str:
    """Text for an exact-words comparison: no emphasis marks, straight quotes, lower case, one space, no final stop."""
    return " ".join(normalise_quotes(text.replace("**", "")).lower().split()).rstrip(".")


def stopwords() -> frozenset[str]:
    """Words too common to say what a text is about."""
    return word_set("words", "stopwords")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The one stemmer: word families ('improved'/'improvement', 'intervening'/'intervention').

    Why our own: snowball/porter stemmers are not in the offline stack, and they over-reduce the
    report's vocabulary ('mission'/'miss'); this is a table of suffixes (lexicon.toml) with one rule.
    """
    w = normalise_quotes(word.lower()).removesuffix("'s")
    for suffix, repl in groups("stemmer", "suffixes"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


@lru_cache(maxsize=200_000)
def light_stem(word: str) -> str:
    """The same stemmer at its lightest: plural endings only ('targets' -> 'target'), for search terms.

    Search keeps word families apart ('improvement' and 'improve' rank different passages), so the
    retrieval scores the eval gate pins were calibrated on this strength; drafting matches families.
    """
    for suffix, repl in groups("stemmer", "plural_suffixes"):
        if len(word) > 4 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


def terms(text: str) -> list[str]:
    """Search terms of ``text``: lower-cased, stop words dropped, lightly stemmed."""
    stop = stopwords()
    return [light_stem(t) for t in _TERM.findall(normalise_quotes(text.lower())) if t not in stop]


def content_lemmas(text: str) -> list[str]:
    """Stems of the content words of ``text`` (stop words and single letters dropped), in order."""
    stop = stopwords()
    return [stem(w) for w in _WORD.findall(normalise_quotes(text.lower())) if w not in stop and len(w) > 1]


def key_lemmas(text: str) -> set[str]:
    """What a mission or topic is about: its content stems without generic ambition words ('best', 'UK')."""
    generic = stemmed_list("words", "generic")
    return {w for w in content_lemmas(text) if w not in generic}


def vocabulary_words(text: str) -> list[str]:
    """Every word of ``text`` as a vocabulary entry (lower case), joined words whole and their parts too: a source
    saying 'Covid-19' mentions Covid, and one saying 'Quilter-Pinner' mentions Pinner."""
    out = []
    for word in _VOCABULARY_WORD.findall(text.lower()):
        out.append(word)
        if "-" in word:
            out += [part for part in word.split("-") if part]
    return out


@cache
def stemmed_list(section: str, key: str) -> frozenset[str]:
    """A word list of the lexicon, stemmed, for matching word families ('words', 'placing')."""
    return frozenset(stem(w) for w in entries(section, key))


# -- negation, hedges, quantifiers, antonyms ----------------------------------------------------------
@cache
def strict_negation() -> re.Pattern[str]:
    """The outright negators ('not', 'never', "doesn't") as one pattern: the verifier and stance engine share it."""
    return re.compile(rf"\b(?!(?:{phrases(entries('negation', 'not_denials'))})\b)(?:{phrases(entries('negation', 'strict'))}|\w+n't)\b",
                      re.IGNORECASE)


def negations(text: str) -> set[str]:
    """The outright negators in ``text`` ('not', 'never', "doesn't"), lower-cased."""
    return {m.group(0).lower() for m in strict_negation().finditer(normalise_quotes(text))}


@cache
def _hedge_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    soft = phrases((*entries("hedges", "modal"), *entries("hedges", "evidence"), *entries("hedges", "scope")))
    return re.compile(rf"\b(?:{soft})\b", re.I), re.compile(rf"\b(?:{phrases(entries('hedges', 'strong'))})\b", re.I)


def hedges(text: str) -> set[str]:
    """The softening words of ``text`` ('limited evidence', 'can', 'sometimes')."""
    return {m.group(0).lower() for m in _hedge_patterns()[0].finditer(text)}


def boosters(text: str) -> set[str]:
    """The hardening words of ``text`` ('strong evidence', 'clearly')."""
    return {m.group(0).lower() for m in _hedge_patterns()[1].finditer(text)}


@cache
def _quantifier_pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    levels = {word: i for i, level in enumerate(groups("quantifiers", "scale")) for word in level}
    return re.compile(rf"\b(?:{phrases(tuple(levels))})\b", re.I), levels


def quantifiers(text: str) -> list[tuple[str, int]]:
    """Each quantifier of ``text`` with its level on the none (0) .. all (4) scale, in order."""
    pattern, levels = _quantifier_pattern()
    return [(m.group(0).lower(), levels[m.group(0).lower()]) for m in pattern.finditer(text)]


@cache
def _antonyms() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for up, down in groups("antonyms", "pairs"):
        out.setdefault(up, set()).add(down)
        out.setdefault(down, set()).add(up)
    return {k: frozenset(v) for k, v in out.items()}


_CASED_WORD = re.compile(r"[A-Za-z]+")


def proper_names(texts: Iterable[str]) -> frozenset[str]:
    """Words the texts only ever write capitalised ('Truss', 'Cameron'), lower-cased: names, not common nouns that
    also head a name ('Council' is also 'councils')."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for word in _CASED_WORD.findall(text):
            (capitalised if word[0].isupper() else lower).add(word.lower())
    lower |= {w.removesuffix("s") for w in lower}  # 'councils' is the common noun 'council' too
    return frozenset(w for w in capitalised - lower if w.removesuffix("s") not in lower)


def related(text: str) -> list[str]:
    """Words the sources use for words of ``text`` ('workforce' -> ['staff']), not already in it (lexicon
    [words] related: a group's first word brings the rest)."""
    held = set(_TERM.findall(text.lower()))
    out: list[str] = []
    for first, *others in groups("words", "related"):
        if first in held:
            out += [w for w in others if w not in held and w not in out]
    return out


@cache
def _synonym_heads() -> dict[str, str]:
    """Every inflection's stem of a synonyms group's words -> the group's first word's stem (the stemmer gives 'move'
    and 'moved' different stems, so each form is listed)."""
    heads: dict[str, str] = {}
    for group in groups("words", "synonyms"):
        head = stem(group[0])
        for w in group:
            base = w[:-1] if w.endswith("e") else w
            for form in (w, w + "s", w + "d", w + "ed", base + "ed", base + "ing", w + "ing"):
                heads[stem(form)] = head
    return heads


def same_sense(lemmas: Iterable[str]) -> set[str]:
    """Content stems with each word of a [words] synonyms group replaced by its group's first ('spend' -> 'money')."""
    heads = _synonym_heads()
    return {heads.get(w, w) for w in lemmas}


def antonyms(word: str) -> frozenset[str]:
    """Words of the opposite direction ('rose' -> {'fell'}); empty when the lexicon pairs none."""
    return _antonyms().get(word.lower(), frozenset())


def direction(word: str) -> int:
    """+1 for the rising or good side of an antonym pair, -1 for the falling or bad side, 0 otherwise."""
    w = word.lower()
    for up, down in groups("antonyms", "pairs"):
        if w == up:
            return 1
        if w == down:
            return -1
    return 0
