"""The toolkit's word lists (lexicon.toml), read by section and name; nothing here knows what a list is for.

A list is written in the TOML as an array, or as one string of space-separated words. A missing list is a
LexiconError naming it, raised the first time a rule asks for it (tests/test_text.py asks for every one).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LEXICON_FILE = Path(__file__).with_name("lexicon.toml")


class LexiconError(KeyError):
    """A rule asked for a word list lexicon.toml does not have."""


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(LEXICON_FILE.read_text(encoding="utf-8"))


def _value(section: str, key: str) -> Any:
    try:
        return _data()[section][key]
    except KeyError:
        raise LexiconError(f"assistant/text/lexicon.toml has no [{section}] {key}") from None


@cache
def entries(section: str, key: str) -> tuple[str, ...]:
    """A list as written: words, phrases or regex fragments, in order."""
    value = _value(section, key)
    return tuple(value.split()) if isinstance(value, str) else tuple(value)


@cache
def word_set(section: str, key: str) -> frozenset[str]:
    """A list as a set of words."""
    return frozenset(entries(section, key))


@cache
def groups(section: str, key: str) -> tuple[tuple[str, ...], ...]:
    """A list of lists: suffix pairs, antonym pairs, the levels of the quantifier scale."""
    return tuple(tuple(group) for group in _value(section, key))


@cache
def nested(section: str, key: str) -> tuple[Any, ...]:
    """A list of lists of any depth, as tuples: direction families, quantifier levels."""

    def freeze(value: Any) -> Any:
        return tuple(freeze(v) for v in value) if isinstance(value, list) else value

    return tuple(freeze(v) for v in _value(section, key))


def number(section: str, key: str) -> int:
    """A whole number of the lexicon (how many words a negator reaches)."""
    return int(_value(section, key))


def sections() -> dict[str, list[str]]:
    """Every section and the names of its lists."""
    return {section: list(lists) for section, lists in _data().items()}


def alternation(patterns: tuple[str, ...]) -> str:
    """Regex fragments joined as one alternation."""
    return "|".join(patterns)


def phrases(words: tuple[str, ...] | frozenset[str]) -> str:
    """Plain words and phrases as one alternation, escaped, longest first so 'some evidence' beats 'some'."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
