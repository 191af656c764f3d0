"""What a question asks for, and text that is addressed to a model rather than to a reader."""

from __future__ import annotations

import re
from functools import cache

from assistant.text.lexicon import alternation, entries, word_set
from assistant.text.words import normalise_quotes


@cache
def _pattern(section: str, name: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(entries(section, name))})\b", re.IGNORECASE)


@cache
def _instructions() -> re.Pattern[str]:
    return re.compile(alternation(entries("instructions", "patterns")), re.IGNORECASE)


def asks_for_number(question: str) -> bool:
    """'How much...', 'what share...', 'effect sizes': the answer should carry figures."""
    return bool(_pattern("questions", "asks_for_number").search(question))


def asks_for_references(question: str) -> bool:
    """Does the question want bibliographic entries (otherwise reference lists are not answers)?"""
    return bool(_pattern("questions", "asks_for_references").search(question))


def announces_list(sentence: str) -> bool:
    """A sentence that ends in a colon or says 'the following', 'three', 'criteria'...: a list follows."""
    plain = sentence.replace("**", "")
    return plain.rstrip().endswith(":") or bool(_pattern("questions", "announces_list").search(plain))


def recommends(sentence: str) -> bool:
    """'Government should ...': a recommendation."""
    return bool(_pattern("briefing", "recommends").search(sentence))


def names_a_risk(sentence: str) -> bool:
    """'... at the expense of ...', 'risks', 'failed to': a sentence about what can go wrong."""
    return bool(_pattern("briefing", "risks").search(sentence))


def cuts_spending(proposal: str) -> bool:
    """Does the proposal only cut ('close 20 wards'), funding and building nothing?"""
    return bool(_pattern("proposals", "cuts").search(proposal)) and not _pattern("proposals", "spends").search(proposal)


def addressed_to_model(text: str) -> bool:
    """'Ignore previous instructions', 'reveal your system prompt': data to quote, never an answer."""
    return bool(_instructions().search(text))


# -- what a question is about ---------------------------------------------------------------------
_TAG = re.compile(r"<[^>]{0,200}>")
_MD = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)|[*_`~]{1,3}", re.MULTILINE)
_LABEL = re.compile(r"^\s*(?:q(?:uestion)?|ask|query)\s*[:.-]\s*", re.IGNORECASE)
_CLAUSE = re.compile(
    r"\?\s*|;\s*|,?\s+and\s+(?=(?:what|which|who|whom|why|how|when|where|does|do|did|is|are|was|were|can|could|should)\b)",
    re.IGNORECASE,
)
_FOCUS_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*s?")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?.!,;:])")


def strip_markup(text: str) -> str:
    """A question as typed, without Markdown, HTML or quotation marks pasted around it.

    When the pasted text has several lines and some ask something (end in '?'), only those are kept: a
    heading such as '## Question' is a label, not part of the question.
    """
    lines = [_LABEL.sub("", _MD.sub(" ", _TAG.sub(" ", line)).strip()) for line in text.splitlines()]
    lines = [line for line in lines if line.strip(" '\"“”‘’")]
    asking = [line for line in lines if "?" in line]
    plain = " ".join(asking or lines)
    plain = normalise_quotes(plain).replace('"', " ")
    plain = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(plain.split()))
    return plain.strip(" '")


def clauses(question: str) -> list[str]:
    """The parts of a question that ask for different things ('How much ..., and why ...?' -> two)."""
    return [c.strip(" ,") for c in _CLAUSE.split(question) if c and c.strip(" ,")]


def focus_words(clause: str) -> list[str]:
    """The words of a clause that say what it asks about (frame words such as 'what does the report say' and
    stop words dropped), as written, in order."""
    frame, stop = word_set("focus", "frame"), word_set("words", "stopwords")
    return [w for w in _FOCUS_WORD.findall(clause) if w.lower() not in frame and w.lower() not in stop]


def asks_for_amount(clause: str) -> list[str]:
    """The words of a clause that ask for an amount ('what does it cost each year', 'pay and pensions'), as written.

    An amount word followed by a noun modifies it ('cost control', 'pay gap') and asks for no amount.
    """
    amounts, stop = word_set("focus", "amounts"), word_set("words", "stopwords")
    words = _FOCUS_WORD.findall(clause)
    return [w for i, w in enumerate(words) if w.lower() in amounts
            and (i + 1 == len(words) or words[i + 1].lower() in stop or words[i + 1].lower() in amounts)]


def span_of(clause: str, words: list[str]) -> str:
    """The clause's own text from the first to the last of ``words`` ('running the mission councils cost each year')."""
    if not words:
        return ""
    starts = [m.start() for w in words for m in [re.search(rf"\b{re.escape(w)}\b", clause)] if m]
    ends = [m.end() for w in words for m in [re.search(rf"\b{re.escape(w)}\b", clause)] if m]
    return clause[min(starts) : max(ends)] if starts else " ".join(words)
