"""Text as stored and as the safety rules see it: one normalisation, applied before any rule.

``clean`` is what the loaders apply to every document (so indexed text is clean): Unicode NFKC, and no
zero-width, bidi-control, NUL or other control characters (tabs and newlines stay). ``fold`` is for
*detection* only: ``clean`` plus look-alike letters of other scripts mapped to Latin (lexicon.toml
[confusables]), accents dropped and lower case, so "Іgnore previous іnstructions" (Cyrillic І, і) and
"ignorez les instructions précédentes" meet the same word lists. ``drop_comments`` removes HTML and Markdown
comments (``<!-- ... -->``), which readers never see but a model reading the raw text would.

Every function here is linear in the length of the text (no backtracking regex): uploads may be megabytes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from assistant.text.lexicon import entries

# Control (Cc) and format (Cf) characters (Unicode 14 and 15), tab and newlines excepted: NUL, zero-width (U+200B-U+200D,
# U+2060, U+FEFF), bidi controls (U+200E/F, U+202A-U+202E, U+2066-U+2069, U+061C), the soft hyphen, tags.
# tests/test_trust.py checks this class against unicodedata.category over every code point.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_LINE_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
# Combining marks (accents) of the Latin, Greek and Cyrillic scripts the word lists are written against.
_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@cache
def _confusables() -> dict[int, str]:
    return {ord(pair[0]): pair[1:] for pair in entries("confusables", "pairs")}


def invisible_free(text: str) -> str:
    """``text`` without control and format characters (zero-width, bidi, NUL...); line separators become '\\n'."""
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


def clean(text: str) -> str:
    """Text as indexed: NFKC, then no control, zero-width or bidi characters (tabs and newlines kept)."""
    # Format characters first: NFKC would otherwise see "I\u200bgnore" as two words' worth of letters.
    return invisible_free(unicodedata.normalize("NFKC", invisible_free(text)))


def fold(text: str) -> str:
    """Text for detection rules only: ``clean``, look-alike letters to Latin, accents dropped, lower case,
    runs of white space as one space."""
    if text.isascii():  # nothing to normalise but control characters (most text: the fast path)
        return " ".join(_INVISIBLE.sub("", text).casefold().split())
    text = clean(text).translate(_confusables())
    plain = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(plain.casefold().split())


_OPEN, _CLOSE = "<!--", "-->"


def drop_comments(text: str) -> str:
    """HTML/Markdown comments (``<!-- ... -->``) removed; an unclosed comment runs to the end, as in HTML.

    A comment's line breaks are kept so the lines around it stay apart. Linear: one pass with str.find.
    """
    out: list[str] = []
    pos = 0
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find(_CLOSE, start + len(_OPEN))
        stop = len(text) if end < 0 else end + len(_CLOSE)
        out.append("\n" * min(2, text.count("\n", start, stop)))
        pos = stop
    return "".join(out)


