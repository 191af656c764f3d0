"""Phrases as the source writes them: the words behind a set of stems, and the items of an English list.

Rules that match on stems ('mortal', 'crim') must still show the reader the source's own words, with
their capitals ('Avoidable mortality', 'NHS'); and a list such as "primary, community and social care"
names three kinds of care, not 'primary' and 'community' on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.text.words import stem, stopwords

_WORD = re.compile(r"[A-Za-z0-9£][\w£'’-]*")
_CONJUNCTIONS = ("and", "or")
# A list's separators within a run: a comma, 'and', 'or' (not inside brackets).
_SEPARATOR = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
# A new run of a list: "X, Y and Z, as well as W" (modifiers never share a head across it).
_RUNS = re.compile(r",?\s+as well as\s+")
# Examples in brackets after an item: "benefits (eg unemployment, housing benefit)".
_EXAMPLES = re.compile(r"\s*\((?:eg|e\.g\.|such as|including|like)[\s,]+([^)]*)\)")


def written_phrases(text: str, lemmas: Iterable[str], *, stop: Iterable[str] = ()) -> list[str]:
    """For each stem of ``lemmas`` that ``text`` uses, the phrase ``text`` names it with, exactly as written.

    The phrase is the word itself and the words that qualify it just before ("Avoidable mortality",
    "absolute and relative poverty"), stopping at a stop word, a word of ``stop`` ('rates', 'levels') or
    punctuation. First occurrence only; in the order of ``text``.
    """
    wanted = set(lemmas)
    halt = stopwords() | {w.lower() for w in stop}
    words = list(_WORD.finditer(text))
    out: list[str] = []
    for i, m in enumerate(words):
        lemma = stem(m.group(0))
        if lemma not in wanted:
            continue
        wanted.discard(lemma)
        first = i
        while first > 0:
            prev = words[first - 1]
            gap = text[prev.end() : words[first].start()]
            word = prev.group(0).lower()
            if gap.strip() or (word in halt and word not in _CONJUNCTIONS):
                break
            first -= 1
        while first < i and words[first].group(0).lower() in _CONJUNCTIONS:
            first += 1
        out.append(text[words[first].start() : m.end()])
    return out


@dataclass(frozen=True)
class ListItem:
    """One item of an English list: the thing named on its own, and the words of the source that name it."""

    text: str = ""  # 'primary care', 'housing benefit'
    written: str = ""  # 'primary, community and social care', 'housing benefit'
    example_of: str = ""  # for an item given as an example in brackets: what it is an example of ('benefits')


def _top_level(phrase: str) -> list[str]:
    """``phrase`` split at its list separators, keeping bracketed examples with their item."""
    parts, depth, start, pos = [], 0, 0, 0
    while pos < len(phrase):
        depth += (phrase[pos] == "(") - (phrase[pos] == ")")
        m = _SEPARATOR.match(phrase, pos) if depth == 0 else None
        if m and m.end() > pos:
            parts.append(phrase[start:pos])
            start = pos = m.end()
            continue
        pos += 1
    parts.append(phrase[start:])
    return [p.strip(" .;") for p in parts if p.strip(" .;")]


def list_items(phrase: str) -> list[ListItem]:
    """The items of an English list, in order.

    "primary, community and social care, as well as public health" -> primary care, community care, social
    care, public health (bare modifiers share the head of a last item made of a modifier and a head; 'as well
    as' starts a new run); "benefits (eg unemployment, housing benefit)" -> benefits, then its examples
    (unemployment benefit, housing benefit), each marked as an example of 'benefits'.
    """
    out: list[ListItem] = []
    for run_text in _RUNS.split(phrase.strip(" .")):
        run = _top_level(run_text)
        examples: dict[int, str] = {}
        for i, part in enumerate(run):
            m = _EXAMPLES.search(part)
            if m:
                examples[i] = m.group(1)
                run[i] = (part[: m.start()] + part[m.end() :]).strip()
        headed = _shared_head(run)
        for i, part in enumerate(run):
            if part:
                out.append(ListItem(headed[i], part if headed[i] == part else run_text.strip(" .,")))
            if i in examples:
                out += [ListItem(e.text, e.written, part) for e in list_items(examples[i])]
    return out


def _shared_head(run: list[str]) -> list[str]:
    """Each item with its head noun: bare modifiers ('primary', 'absolute') before a last item of a modifier and
    a head ('social care') share that head. A plural ('hospitals') or a word ending in the head is not a modifier."""
    last = run[-1].split() if run else []
    if len(run) < 2 or len(last) != 2:
        return list(run)
    head = last[1]
    modifiers = run[:-1]
    if all(len(p.split()) == 1 and not p.endswith("s") and not p.lower().endswith(head.lower()) for p in modifiers):
        return [f"{p} {head}" for p in modifiers] + [run[-1]]
    return list(run)
