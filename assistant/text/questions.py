"""What a question asks for, and text that is addressed to a model rather than to a reader."""

from __future__ import annotations

import re
from functools import cache

from assistant.text.lexicon import alternation, entries


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
