"""Text moved to a new place: a sentence quoted on its own, a typed phrase set inside a sentence.

A briefing note quotes single sentences out of their paragraphs, so each must read on its own: a leading
connective ('For example, ...') is dropped, and a sentence that points back ('This is most clearly seen
...') or starts mid-thought (a lower-case list item) is not quoted at all. A topic typed as a title
('Shifting NHS spending') reads inside a sentence with its first word in lower case, unless that word is an
acronym or a name the sources always capitalise.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import cache

from assistant.text.lexicon import alternation, entries, phrases
from assistant.text.sentences import leans_back, refers_back, split_sentences, strip_bullet

_FIRST_WORD = re.compile(r"^(?P<lead>[^A-Za-z0-9]*)(?P<word>[A-Za-z][\w'’-]*)")
_FIRST_LETTER = re.compile(r"[A-Za-z]")
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][a-z][\w'’-]*")
_LOWER = re.compile(r"(?<![\w'’-])[a-z][\w'’-]*")
# What may stand before a sentence's first word (besides nothing or a line break): an end of sentence, a list
# marker, a quotation mark.
_SENTENCE_START = ".!?:;-*•#\"“‘'"
# An opening clause ('As this quote implies, ...') longer than this many words is the sentence, not a lead.
_LEAD_WORDS = 6


@cache
def _connective() -> re.Pattern[str]:
    return re.compile(rf"^(?P<mark>\W*?)(?:{phrases(entries('anaphora', 'connectives'))})(?:\s*,\s*|\s+)")


@cache
def _pronoun_use() -> re.Pattern[str]:
    return re.compile(alternation(entries("anaphora", "pronoun_use")), re.IGNORECASE)


def _capitalise(text: str) -> str:
    m = _FIRST_LETTER.search(text)
    return text[: m.start()] + text[m.start()].upper() + text[m.start() + 1 :] if m else text


def drop_connective(sentence: str) -> str:
    """The sentence without a leading connective: 'For example, successive strategies ...' -> 'Successive strategies ...'."""
    m = _connective().match(sentence)
    if not m or not _FIRST_LETTER.search(sentence[m.end() :]):
        return sentence
    return m.group("mark") + _capitalise(sentence[m.end() :])


def stands_alone(sentence: str) -> bool:
    """Does the sentence read on its own once a leading connective is dropped? Not if it opens by pointing back
    ('This is most clearly seen ...'), uses 'this'/'these' for something unsaid ('The authors put this down to
    ...'), names them in a short opening clause ('As this quote implies, ...'), starts in lower case (the rest
    of a list's lead-in) or ends in a colon (a lead-in whose list is not quoted). Of several sentences quoted as one
    (a sentence with the one it points back to), the first must stand alone; the rest point to it."""
    spans = split_sentences(sentence)
    if len(spans) > 1:
        sentence = sentence[spans[0][0]:spans[0][1]]
    text = drop_connective(strip_bullet(sentence)).rstrip()
    first = _FIRST_LETTER.search(text)
    if first is None or text[first.start()].islower() or text.endswith(":"):
        return False
    if leans_back(text) or _pronoun_use().search(text):
        return False
    lead, comma, _ = text.partition(",")
    return not (comma and len(lead.split()) <= _LEAD_WORDS and refers_back(lead))


def always_capitalised(texts: Iterable[str]) -> frozenset[str]:
    """Words (lower-cased) the texts write with a capital inside a sentence and never in lower case: names."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        lower.update(_LOWER.findall(text))
        for m in _CAPITALISED.finditer(text):
            window = text[max(0, m.start() - 40) : m.start()]
            before = window.rstrip()
            if before and "\n" not in window[len(before) :] and before[-1] not in _SENTENCE_START:
                capitalised.add(m.group().lower())
    return frozenset(capitalised - lower)


def is_acronym(word: str) -> bool:
    """'NHS', 'GCSEs', 'PhD': a word with two or more capitals keeps its case anywhere."""
    return sum(ch.isupper() for ch in word) >= 2


def lower_first(phrase: str, names: Collection[str] = ()) -> str:
    """A title-like phrase as it reads inside a sentence: its first word in lower case unless it is an acronym
    or one of ``names`` (lower-cased words always capitalised, e.g. from ``always_capitalised``)."""
    m = _FIRST_WORD.match(phrase)
    if m is None:
        return phrase
    word = m.group("word")
    if is_acronym(word) or word.lower() in names or word == "I":
        return phrase
    return phrase[: m.start("word")] + word[0].lower() + phrase[m.start("word") + 1 :]
