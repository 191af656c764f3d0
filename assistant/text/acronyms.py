"""Acronyms: those the sources define ('new public management (NPM)' -> {'new public management': 'NPM'}), and common ones they leave undefined."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.text.lexicon import groups

# The acronym in brackets is found first, then at most six words are read backwards from it: a regex with the
# words in front ("(?:word\s+){1,6}\(") retried from every letter of a long unbroken token, which made one
# 40 KB token take 12 s. Both patterns below match a bounded stretch and never backtrack across a token.
_ACRONYM = re.compile(r"\(([A-Z]{2,6})\)")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_MAX_WORDS = 6
_MAX_WORD_CHARS = 40  # longer "words" (hashes, base64, URLs) never spell out an acronym
_LOOK_BACK = _MAX_WORDS * (_MAX_WORD_CHARS + 1) + 1


def _words_before(text: str, end: int) -> list[str]:
    """Up to six words right before ``end``, each followed by whitespace, as the definition pattern reads them."""
    window = text[max(0, end - _LOOK_BACK) : end]
    if not window or not window[-1].isspace():
        return []
    tokens = window.split()
    if end - _LOOK_BACK > 0 and window[:1].strip():
        tokens = tokens[1:]  # cut by the window: its start is unknown
    words: list[str] = []
    for token in reversed(tokens[-_MAX_WORDS:]):
        if len(token) > _MAX_WORD_CHARS:
            break
        m = _WORD.search(token)
        if m is None or m.end() != len(token):
            break
        words.append(m.group(0))
        if m.start() > 0:  # 'x1abc' reads as the word 'abc', and nothing before it belongs to the phrase
            break
    return words[::-1]


def find_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Every acronym defined in ``texts`` by the initials of the words before it; the first definition wins.

    Linear in the length of the texts: each bracketed acronym reads a bounded window before it.
    """
    found: dict[str, str] = {}
    for text in texts:
        for m in _ACRONYM.finditer(text):
            words, short = _words_before(text, m.start()), m.group(1)
            n = len(short)
            if len(words) >= n and "".join(w[0] for w in words[-n:]).lower() == short.lower():
                found.setdefault(" ".join(words[-n:]).lower(), short)
    return found


def with_common(defined: dict[str, str]) -> dict[str, str]:
    """``defined`` (a document's own acronyms, which win) with the ones UK government writing leaves undefined
    ('PM': lexicon [acronyms] common)."""
    return {**{long.lower(): short for long, short in groups("acronyms", "common")}, **defined}


def expand(text: str, acronyms: dict[str, str]) -> str:
    """``text`` with each defined acronym added beside its long form, and each long form beside its acronym."""
    lowered = text.lower()
    extra = []
    for long_form, short in acronyms.items():
        if long_form in lowered and short.lower() not in lowered:
            extra.append(short)
        elif re.search(rf"\b{re.escape(short)}\b", text) and long_form not in lowered:
            extra.append(long_form)
    return f"{text} {' '.join(extra)}" if extra else text


def abbreviate(text: str, acronyms: dict[str, str]) -> str:
    """``text`` with each defined long form replaced by its acronym, so 'new public management' ~ 'NPM'."""
    for phrase, short in acronyms.items():
        text = re.sub(rf"\b{re.escape(phrase)}\b", short, text, flags=re.I)
    return text
